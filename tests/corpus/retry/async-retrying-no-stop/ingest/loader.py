import os

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential_jitter

SOURCE_URL = os.environ["SOURCE_URL"]


async def load_partition(client: httpx.AsyncClient, partition: int) -> list[dict]:
    async for attempt in AsyncRetrying(  # expect: SP201
        wait=wait_exponential_jitter(initial=1, max=30),
        retry=retry_if_exception_type(httpx.TransportError),
    ):
        with attempt:
            resp = await client.get(f"{SOURCE_URL}/partitions/{partition}")
            resp.raise_for_status()
            return resp.json()["rows"]
    return []
