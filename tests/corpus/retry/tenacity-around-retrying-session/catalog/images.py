import os

import requests
from requests.adapters import HTTPAdapter
from tenacity import retry, stop_after_attempt, wait_random_exponential
from urllib3.util.retry import Retry

IMAGES_URL = os.environ["IMAGES_URL"]

session = requests.Session()
retries = Retry(total=5, backoff_factor=0.5, backoff_jitter=0.25, status_forcelist=[502, 503, 504])
session.mount("http://", HTTPAdapter(max_retries=retries))
session.mount("https://", HTTPAdapter(max_retries=retries))


@retry(stop=stop_after_attempt(3), wait=wait_random_exponential(max=10), reraise=True)  # expect: SP205
def image_meta(image_id: str) -> dict:
    resp = session.get(f"{IMAGES_URL}/images/{image_id}", timeout=5)
    resp.raise_for_status()
    return resp.json()


def thumbnail_url(image_id: str, width: int) -> str:
    resp = session.get(f"{IMAGES_URL}/images/{image_id}/thumb", params={"w": width}, timeout=5)
    resp.raise_for_status()
    return resp.json()["url"]
