import logging
import os
import time

import httpx

log = logging.getLogger("indexer")

QUEUE_URL = os.environ["QUEUE_URL"]
INDEX_URL = os.environ["INDEX_URL"]


def run_forever() -> None:
    with httpx.Client(timeout=10.0) as client:
        while True:
            try:
                job = client.get(f"{QUEUE_URL}/jobs/next").json()
                if job:
                    client.put(f"{INDEX_URL}/docs/{job['doc_id']}", json=job["doc"]).raise_for_status()
                    client.post(f"{QUEUE_URL}/jobs/{job['id']}/ack").raise_for_status()
            except Exception:
                log.exception("indexing iteration failed")
            time.sleep(1)


if __name__ == "__main__":
    run_forever()
