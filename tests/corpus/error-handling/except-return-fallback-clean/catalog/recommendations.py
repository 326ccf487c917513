import logging
import os

import httpx

log = logging.getLogger(__name__)

RECS_URL = os.environ["RECS_URL"]
recs = httpx.Client(base_url=RECS_URL, timeout=0.8)


def recommended(user_id: str) -> list[str] | None:
    """Recommendations are optional: None tells the caller to render without them."""
    try:
        resp = recs.get(f"/users/{user_id}/recommendations")
        resp.raise_for_status()
    except httpx.HTTPError as exc:
        log.info("recommendations unavailable: %s", exc)
        return None
    return resp.json()["items"]


def popular() -> list[str]:
    try:
        return recs.get("/popular").json()["items"]
    except Exception:
        return []
