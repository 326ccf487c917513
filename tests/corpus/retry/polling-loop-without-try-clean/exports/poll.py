import os
import time

import requests

EXPORTS_URL = os.environ["EXPORTS_URL"]


def start_export(dataset: str) -> str:
    resp = requests.post(
        f"{EXPORTS_URL}/exports",
        json={"dataset": dataset},
        headers={"Idempotency-Key": f"export-{dataset}"},
        timeout=10,
    )
    resp.raise_for_status()
    return resp.json()["job_id"]


def wait_for_export(job_id: str) -> str:
    # Polling a job's status until it finishes; a failed request raises.
    while True:
        resp = requests.get(f"{EXPORTS_URL}/exports/{job_id}", timeout=5)
        resp.raise_for_status()
        job = resp.json()
        if job["state"] == "done":
            return job["url"]
        if job["state"] == "failed":
            raise RuntimeError(job.get("error", "export failed"))
        time.sleep(2)
