import os

import httpx
from tenacity import (
    AsyncRetrying,
    retry,
    stop_after_attempt,
    wait_exponential,
    wait_exponential_jitter,
    wait_random,
    wait_random_exponential,
)

REVIEWS_URL = os.environ["REVIEWS_URL"]
reviews = httpx.AsyncClient(base_url=REVIEWS_URL, timeout=4.0)


@retry(stop=stop_after_attempt(4), wait=wait_random_exponential(multiplier=0.5, max=10))
async def summary(product_id: str) -> dict:
    resp = await reviews.get(f"/products/{product_id}/summary")
    resp.raise_for_status()
    return resp.json()


@retry(stop=stop_after_attempt(4), wait=wait_exponential_jitter(initial=0.5, max=10, jitter=1))
async def top_reviews(product_id: str) -> list[dict]:
    resp = await reviews.get(f"/products/{product_id}/top")
    resp.raise_for_status()
    return resp.json()


async def histogram(product_id: str) -> dict:
    async for attempt in AsyncRetrying(
        stop=stop_after_attempt(3),
        wait=wait_exponential(multiplier=0.2, max=5) + wait_random(0, 0.5),
        reraise=True,
    ):
        with attempt:
            resp = await reviews.get(f"/products/{product_id}/histogram")
            resp.raise_for_status()
            return resp.json()
    return {}
