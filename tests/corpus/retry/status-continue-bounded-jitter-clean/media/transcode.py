import os
import random
import time

import httpx

TRANSCODER_URL = os.environ["TRANSCODER_URL"]
transcoder = httpx.Client(base_url=TRANSCODER_URL, timeout=10.0)
RETRYABLE = {429, 502, 503, 504}


def job_result(job_id: str, attempts: int = 6) -> dict:
    for attempt in range(attempts):
        resp = transcoder.get(f"/jobs/{job_id}/result")
        if resp.status_code in RETRYABLE:
            time.sleep(random.uniform(0, min(10, 0.5 * 2**attempt)))
            continue
        resp.raise_for_status()
        return resp.json()
    raise TimeoutError(f"transcoder kept failing for job {job_id}")
