"""The ledger's api (the edge): takes deposits and has the store credit them.

``POST /deposits {"id", "account", "amount"}`` posts the credit to ``$STORE_URL/credits``
and answers 200 ``{"id": ...}`` once the store confirmed it, 503 when it did not.

Correct: each store call has a timeout, and a failed or timed-out call is retried a bounded
number of times with the SAME credit id, so a credit that did arrive is not applied twice (the
store is idempotent by id). ``BUG`` plants one mistake:

- ``swallow-errors``: a failed store call is acknowledged anyway;
- ``retry-new-id``: a retry carries a fresh credit id, so a credit that arrived but whose
  answer did not is applied again (``request`` keeps the deposit id, to count them);
- ``wall-clock-expiry``: every credit carries ``expires_at`` = this machine's clock + 5 s, for
  a store that compares it with its own clock.

Run: ``STORE_URL=http://127.0.0.1:8001 python api.py --port 8000``.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import jsonhttp

BUG = os.environ.get("BUG", "")
DEPOSIT_FIELDS = {"id": str, "account": str, "amount": int}
STORE_TIMEOUT_S = 0.8
ATTEMPTS = 3
BACKOFF_S = 0.05
# Worst case 3 x 0.8 s + backoff: an answer (503) before a client's 3 s timeout.


def store_confirms(host: str, port: int, credit: dict[str, Any]) -> bool:
    """Whether one ``POST /credits`` was answered 2xx within the timeout."""
    connection = http.client.HTTPConnection(host, port, timeout=STORE_TIMEOUT_S)
    try:
        connection.request(
            "POST", "/credits", json.dumps(credit), {"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        response.read()
        return 200 <= response.status < 300
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def main() -> None:
    store = urlsplit(os.environ.get("STORE_URL", ""))
    if not store.hostname:
        sys.exit("api: STORE_URL is not set (the store's base URL, e.g. http://127.0.0.1:8001)")
    host, port = store.hostname, store.port or 80

    def post_deposit(body: Any) -> jsonhttp.Answer:
        deposit = jsonhttp.fields(body, DEPOSIT_FIELDS)
        credit = {**deposit, "request": deposit["id"]}
        for attempt in range(ATTEMPTS):
            if attempt:
                time.sleep(BACKOFF_S * attempt)
                if BUG == "retry-new-id":
                    credit["id"] = f"c-{uuid.uuid4().hex}"
            if BUG == "wall-clock-expiry":
                credit["expires_at"] = time.time() + 5
            if store_confirms(host, port, credit) or BUG == "swallow-errors":
                return 200, {"id": deposit["id"]}
        return 503, {"error": f"the store did not confirm {deposit['id']} in {ATTEMPTS} attempts"}

    jsonhttp.serve("api", {("POST", "/deposits"): post_deposit}, sys.argv[1:])


if __name__ == "__main__":
    main()
