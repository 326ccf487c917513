import os

import httpx
from tenacity import AsyncRetrying, stop_after_attempt, wait_random_exponential

TAX_URL = os.environ["TAX_URL"]

tax = httpx.AsyncClient(
    base_url=TAX_URL,
    timeout=3.0,
    transport=httpx.AsyncHTTPTransport(retries=2),
)


async def tax_rate(country: str, category: str) -> float:
    async for attempt in AsyncRetrying(stop=stop_after_attempt(4), wait=wait_random_exponential(max=4)):  # expect: SP205
        with attempt:
            resp = await tax.get("/rates", params={"country": country, "category": category})
            resp.raise_for_status()
            return resp.json()["rate"]
    raise RuntimeError("unreachable")
