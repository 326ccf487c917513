import csv
import io
import os

import requests
from celery import Celery

celery_app = Celery("reports", broker=os.environ.get("BROKER_URL", "redis://redis:6379/0"))

ANALYTICS_URL = os.environ["ANALYTICS_URL"]
STORAGE_URL = os.environ["STORAGE_URL"]


@celery_app.task(bind=True, max_retries=3)
def build_daily_report(self, day: str) -> str:
    resp = requests.get(f"{ANALYTICS_URL}/daily", params={"day": day})  # expect: SP101
    resp.raise_for_status()
    rows = resp.json()["rows"]

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["metric", "value"])
    writer.writeheader()
    writer.writerows(rows)

    upload = requests.put(  # expect: SP101
        f"{STORAGE_URL}/reports/{day}.csv",
        data=buffer.getvalue().encode(),
        headers={"Content-Type": "text/csv"},
    )
    upload.raise_for_status()
    return upload.json()["location"]
