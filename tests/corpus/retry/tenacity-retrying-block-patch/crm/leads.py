import os

import requests
from tenacity import Retrying, stop_after_attempt, wait_random_exponential

CRM_URL = os.environ["CRM_URL"]
CRM_TOKEN = os.environ.get("CRM_TOKEN", "")


def update_lead(lead_id: str, stage: str, owner: str) -> dict:
    headers = {"Authorization": f"Bearer {CRM_TOKEN}", "Content-Type": "application/json"}
    for attempt in Retrying(stop=stop_after_attempt(5), wait=wait_random_exponential(max=15), reraise=True):
        with attempt:
            resp = requests.patch(  # expect: SP204
                f"{CRM_URL}/leads/{lead_id}",
                json={"stage": stage, "owner": owner},
                headers=headers,
                timeout=10,
            )
            resp.raise_for_status()
    return resp.json()
