import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor

import requests

log = logging.getLogger(__name__)

SINK_URL = os.environ["SINK_URL"]
pool = ThreadPoolExecutor(max_workers=4)


def upload_chunks(chunks: list[bytes]) -> int:
    sent = 0
    for index, chunk in enumerate(chunks):
        try:
            requests.put(f"{SINK_URL}/chunks/{index}", data=chunk, timeout=30).raise_for_status()
        except requests.RequestException:
            log.exception("chunk %d failed; stopping upload", index)
            break
        sent += 1
    return sent


def upload_async(chunks: list[bytes]) -> list[Future]:
    futures = []
    for index, chunk in enumerate(chunks):
        try:
            futures.append(pool.submit(requests.put, f"{SINK_URL}/chunks/{index}", data=chunk, timeout=30))
        except RuntimeError:
            log.warning("executor shut down")
    return futures
