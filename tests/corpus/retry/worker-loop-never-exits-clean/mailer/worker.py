"""Long-running worker: pulls jobs forever, one failed poll does not stop it."""

import logging
import os
import time

import requests

log = logging.getLogger("mailer.worker")

QUEUE_URL = os.environ["QUEUE_URL"]
SMTP_RELAY_URL = os.environ["SMTP_RELAY_URL"]
POLL_INTERVAL_S = 5


def handle(job: dict) -> None:
    requests.post(
        f"{SMTP_RELAY_URL}/send",
        json={"to": job["to"], "subject": job["subject"], "body": job["body"]},
        headers={"Idempotency-Key": job["id"]},
        timeout=10,
    ).raise_for_status()


def run() -> None:
    while True:
        try:
            resp = requests.get(f"{QUEUE_URL}/jobs/next", timeout=10)
            if resp.status_code == 200:
                handle(resp.json())
        except requests.RequestException:
            log.exception("poll failed")
        time.sleep(POLL_INTERVAL_S)


if __name__ == "__main__":
    run()
