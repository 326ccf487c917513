import logging
import os

import httpx
from tenacity import before_sleep_log, retry, stop_after_attempt

logger = logging.getLogger(__name__)

PROFILE_URL = os.environ.get("PROFILE_SERVICE_URL", "http://profiles:8000")


class ProfileClient:
    def __init__(self) -> None:
        self._client = httpx.AsyncClient(base_url=PROFILE_URL, timeout=5.0)

    @retry(stop=stop_after_attempt(3), reraise=True)  # expect: SP202
    async def get_profile(self, user_id: str) -> dict:
        resp = await self._client.get(f"/profiles/{user_id}")
        resp.raise_for_status()
        return resp.json()

    @retry(stop=stop_after_attempt(3), before_sleep=before_sleep_log(logger, logging.WARNING))  # expect: SP202
    async def preferences(self, user_id: str) -> dict:
        resp = await self._client.get(f"/profiles/{user_id}/preferences")
        resp.raise_for_status()
        return resp.json()

    async def aclose(self) -> None:
        await self._client.aclose()
