import os

import httpx
import stamina

SEARCH_URL = os.environ["SEARCH_URL"]


@stamina.retry(on=httpx.HTTPError, attempts=5)
async def index_profile(profile: dict) -> None:
    async with httpx.AsyncClient(base_url=SEARCH_URL, timeout=5.0) as client:
        resp = await client.put(f"/profiles/{profile['id']}", json=profile)  # expect: SP204
        resp.raise_for_status()


@stamina.retry(on=httpx.HTTPError, attempts=5)
async def profile_indexed(profile_id: str) -> bool:
    async with httpx.AsyncClient(base_url=SEARCH_URL, timeout=5.0) as client:
        resp = await client.get(f"/profiles/{profile_id}")
        return resp.status_code == 200
