import os

import requests
from celery import Celery

app = Celery("notifications", broker=os.environ.get("BROKER_URL", "redis://redis:6379/1"))

SMS_URL = os.environ["SMS_URL"]


@app.task(bind=True, max_retries=5)
def send_sms(self, phone: str, text: str, message_id: str) -> str:
    try:
        resp = requests.post(
            f"{SMS_URL}/messages",
            json={"to": phone, "text": text},
            headers={"Idempotency-Key": message_id},
            timeout=10,
        )
        resp.raise_for_status()
    except requests.RequestException as exc:
        raise self.retry(exc=exc, countdown=2**self.request.retries)
    return resp.json()["sid"]
