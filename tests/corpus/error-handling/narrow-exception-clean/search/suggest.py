import json
import logging
import os

import requests

log = logging.getLogger(__name__)

SUGGEST_URL = os.environ["SUGGEST_URL"]


def suggestions(prefix: str) -> list[str]:
    items: list[str] = []
    try:
        resp = requests.get(f"{SUGGEST_URL}/suggest", params={"q": prefix}, timeout=0.3)
        items = resp.json()["items"]
    except requests.Timeout:
        log.debug("suggest timed out for %r", prefix)
    except (json.JSONDecodeError, KeyError):
        log.warning("malformed suggest response")
    return items
