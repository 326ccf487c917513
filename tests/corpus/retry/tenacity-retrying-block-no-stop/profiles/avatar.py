import os
import uuid

import requests
from tenacity import Retrying, retry_if_exception_type, wait_random_exponential

MEDIA_URL = os.environ["MEDIA_URL"]


def upload_avatar(user_id: str, image: bytes) -> str:
    key = str(uuid.uuid4())
    for attempt in Retrying(  # expect: SP201
        wait=wait_random_exponential(multiplier=0.5, max=20),
        retry=retry_if_exception_type(requests.ConnectionError),
        reraise=True,
    ):
        with attempt:
            resp = requests.put(
                f"{MEDIA_URL}/avatars/{user_id}",
                data=image,
                headers={"Content-Type": "image/png", "Idempotency-Key": key},
                timeout=10,
            )
            resp.raise_for_status()
    return resp.json()["url"]
