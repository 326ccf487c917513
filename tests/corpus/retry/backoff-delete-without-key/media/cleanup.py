import logging
import os

import backoff
import requests

log = logging.getLogger(__name__)

CDN_URL = os.environ["CDN_URL"]
cdn = requests.Session()
cdn.headers["Authorization"] = f"Bearer {os.environ.get('CDN_TOKEN', '')}"


@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=4)
def purge(path: str) -> None:
    resp = cdn.delete(f"{CDN_URL}/cache", params={"path": path}, timeout=5)  # expect: SP204
    resp.raise_for_status()
    log.info("purged %s", path)


@backoff.on_exception(backoff.expo, requests.RequestException, max_tries=4)
def cached(path: str) -> bool:
    resp = cdn.head(f"{CDN_URL}/cache", params={"path": path}, timeout=5)
    return resp.status_code == 200
