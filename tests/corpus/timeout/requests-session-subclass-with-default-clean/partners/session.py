import os
from typing import Any

import requests

PARTNER_URL = os.environ["PARTNER_URL"]


class TimeoutSession(requests.Session):
    """A Session that never sends a request without a timeout."""

    def __init__(self, timeout: float = 5.0) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, **kwargs)


partner = TimeoutSession(timeout=3.0)


def offers(region: str) -> list[dict]:
    resp = partner.get(f"{PARTNER_URL}/offers", params={"region": region})
    resp.raise_for_status()
    return resp.json()


def accept(offer_id: str) -> None:
    partner.post(f"{PARTNER_URL}/offers/{offer_id}/accept").raise_for_status()
