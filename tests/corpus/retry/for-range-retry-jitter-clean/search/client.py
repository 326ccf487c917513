import os
import random
import time

import httpx
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    search_url: str = "http://search:8000"
    search_max_retries: int = 3
    search_backoff_s: float = 0.25


settings = Settings()
http = httpx.Client(base_url=settings.search_url, timeout=2.0)


def search(query: str) -> list[dict]:
    last_error: Exception | None = None
    for attempt in range(settings.search_max_retries):
        try:
            resp = http.get("/search", params={"q": query})
            resp.raise_for_status()
            return resp.json()["hits"]
        except httpx.HTTPError as exc:
            last_error = exc
            cap = settings.search_backoff_s * 2**attempt
            time.sleep(random.uniform(0, cap))
    raise RuntimeError(f"search unavailable after {settings.search_max_retries} attempts") from last_error
