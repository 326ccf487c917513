import os
from typing import Any

import requests
from requests.adapters import HTTPAdapter

ACCOUNTS_URL = os.environ["ACCOUNTS_URL"]
DEFAULT_TIMEOUT = 5


class TimeoutHTTPAdapter(HTTPAdapter):
    """An adapter that applies a default timeout to every request it sends."""

    def __init__(self, *args: Any, timeout: float = DEFAULT_TIMEOUT, **kwargs: Any) -> None:
        self.timeout = timeout
        super().__init__(*args, **kwargs)

    def send(self, request, **kwargs):  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


http = requests.Session()
http.mount("https://", TimeoutHTTPAdapter(timeout=4))
http.mount("http://", TimeoutHTTPAdapter(timeout=4))


def balance(account_id: str) -> int:
    resp = http.get(f"{ACCOUNTS_URL}/accounts/{account_id}/balance")
    resp.raise_for_status()
    return resp.json()["balance_cents"]


def post_entry(account_id: str, amount_cents: int, memo: str) -> str:
    resp = http.post(
        f"{ACCOUNTS_URL}/accounts/{account_id}/entries",
        json={"amount_cents": amount_cents, "memo": memo},
    )
    resp.raise_for_status()
    return resp.json()["entry_id"]
