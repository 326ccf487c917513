import os
import random
import time

import requests

RENDERER_URL = os.environ["PDF_RENDERER_URL"]


def render(invoice: dict) -> bytes:
    attempt = 0
    while True:
        try:
            resp = requests.request(  # expect: SP204
                "POST",
                f"{RENDERER_URL}/render",
                json={"template": "invoice", "data": invoice},
                timeout=30,
            )
            resp.raise_for_status()
            return resp.content
        except requests.RequestException:
            attempt += 1
            if attempt > 3:
                raise
            time.sleep(random.uniform(0, 2**attempt))
