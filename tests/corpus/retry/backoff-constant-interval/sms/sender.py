import os

import backoff
import requests

SMS_URL = os.environ["SMS_GATEWAY_URL"]


@backoff.on_exception(backoff.constant, requests.RequestException, interval=1, max_tries=4)  # expect: SP202
def delivery_report(message_id: str) -> str:
    resp = requests.get(f"{SMS_URL}/messages/{message_id}", timeout=5)
    resp.raise_for_status()
    return resp.json()["status"]


@backoff.on_exception(
    backoff.expo, requests.RequestException, max_tries=4, giveup=lambda e: e.response is not None
)
def balance() -> int:
    resp = requests.get(f"{SMS_URL}/account/balance", timeout=5)
    resp.raise_for_status()
    return resp.json()["credits"]
