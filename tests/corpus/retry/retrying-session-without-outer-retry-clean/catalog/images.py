import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

IMAGES_URL = os.environ["IMAGES_URL"]

session = requests.Session()
session.mount(
    "https://",
    HTTPAdapter(max_retries=Retry(total=5, backoff_factor=0.5, backoff_jitter=0.25)),
)


def image_meta(image_id: str) -> dict:
    # The session already retries; no second retry layer around it.
    resp = session.get(f"{IMAGES_URL}/images/{image_id}", timeout=5)
    resp.raise_for_status()
    return resp.json()


def image_tags(image_id: str) -> list[str]:
    return session.get(f"{IMAGES_URL}/images/{image_id}/tags", timeout=5).json()
