import logging
import os
import random
import time

import requests

log = logging.getLogger(__name__)

OCR_URL = os.environ["OCR_URL"]
STEP_S = 0.75


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 10.0) -> float:
    return random.uniform(0, min(cap, base * 2**attempt))


def extract_text(document_id: str) -> str:
    for attempt in range(4):
        try:
            resp = requests.get(f"{OCR_URL}/documents/{document_id}/text", timeout=10)
            resp.raise_for_status()
            return resp.json()["text"]
        except requests.RequestException:
            log.info("ocr not ready, attempt %d", attempt)
            time.sleep(STEP_S * (attempt + 1))
    raise TimeoutError(document_id)


def page_count(document_id: str) -> int:
    for attempt in range(5):
        try:
            resp = requests.get(f"{OCR_URL}/documents/{document_id}", timeout=10)
            resp.raise_for_status()
            return resp.json()["pages"]
        except requests.RequestException:
            time.sleep(backoff_delay(attempt))
    raise TimeoutError(document_id)
