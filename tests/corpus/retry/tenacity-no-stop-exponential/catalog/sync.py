import logging
import os

import httpx
from tenacity import retry, retry_if_exception_type, wait_exponential

log = logging.getLogger(__name__)

SUPPLIER_URL = os.environ["SUPPLIER_URL"]


@retry(  # expect: SP201, SP203
    wait=wait_exponential(multiplier=1, min=1, max=30),
    retry=retry_if_exception_type(httpx.TransportError),
    reraise=True,
)
def fetch_feed(page: int) -> dict:
    resp = httpx.get(f"{SUPPLIER_URL}/feed", params={"page": page}, timeout=15.0)
    resp.raise_for_status()
    return resp.json()


def sync_all() -> int:
    page, total = 1, 0
    while True:
        data = fetch_feed(page)
        total += len(data["items"])
        if not data.get("next_page"):
            log.info("synced %d items", total)
            return total
        page = data["next_page"]
