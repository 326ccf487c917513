import os
from typing import Any

import httpx
import tenacity

CRM_URL = os.environ["CRM_URL"]
crm = httpx.Client(base_url=CRM_URL, timeout=5.0)

# One retry policy for every CRM call, defined once.
RETRY_POLICY: dict[str, Any] = {
    "stop": tenacity.stop_after_attempt(4),
    "wait": tenacity.wait_random_exponential(multiplier=0.5, max=10),
    "reraise": True,
}


@tenacity.retry(**RETRY_POLICY)
def contact(contact_id: str) -> dict:
    resp = crm.get(f"/contacts/{contact_id}")
    resp.raise_for_status()
    return resp.json()


@tenacity.retry(**RETRY_POLICY)
def tags(contact_id: str) -> list[str]:
    resp = crm.get(f"/contacts/{contact_id}/tags")
    resp.raise_for_status()
    return resp.json()
