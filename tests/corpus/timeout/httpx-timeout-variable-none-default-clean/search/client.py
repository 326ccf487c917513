import os

import httpx

SEARCH_URL = os.environ["SEARCH_URL"]


def search(query: str, timeout: float | None = 3.0) -> list[dict]:
    # The caller decides; None is a caller's explicit choice, not ours.
    resp = httpx.get(f"{SEARCH_URL}/search", params={"q": query}, timeout=timeout)
    resp.raise_for_status()
    return resp.json()["hits"]


def suggest(prefix: str) -> list[str]:
    timeout = httpx.Timeout(2.0, connect=1.0)
    with httpx.Client(timeout=timeout) as client:
        resp = client.get(f"{SEARCH_URL}/suggest", params={"prefix": prefix})
        return resp.json()


def reindex(limits: httpx.Timeout | None = None) -> None:
    with httpx.Client(base_url=SEARCH_URL, timeout=limits or httpx.Timeout(60.0)) as client:
        client.post("/admin/reindex").raise_for_status()


def stats() -> dict:
    value = {"timeout": None}
    if value.get("timeout") is None:
        value["timeout"] = 5
    return httpx.get(f"{SEARCH_URL}/stats", timeout=value["timeout"]).json()
