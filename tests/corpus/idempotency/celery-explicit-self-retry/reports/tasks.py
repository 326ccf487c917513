"""Celery task that retries itself on failure."""

import os

import requests
from celery import Celery

celery = Celery("reports", broker=os.environ["BROKER_URL"])
DWH_URL = os.environ["DWH_URL"]


@celery.task(bind=True, max_retries=5, default_retry_delay=30)
def load_daily_totals(self, day: str, totals: dict) -> None:  # expect: SP402
    try:
        resp = requests.post(f"{DWH_URL}/loads", json={"day": day, "totals": totals}, timeout=30)
        resp.raise_for_status()
    except requests.RequestException as exc:
        raise self.retry(exc=exc) from exc
