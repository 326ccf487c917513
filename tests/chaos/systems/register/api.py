"""The register system's api (the edge): forwards reads, writes and compare-and-sets to the
store, each with a short timeout.

It serves the store's routes (``registers.py``): ``GET /registers/<key>``, ``POST
/registers/<key> {"value"}``, ``POST /registers/<key>/cas {"expected", "new"}``.

Correct: whatever the store answers is passed on (a 409 is a definite compare failure); a
store call with no answer in ``STORE_TIMEOUT_S`` (a timeout, a dropped connection, a refused
one) is answered 503, since the api cannot know whether the store applied it, and the
client has to treat the outcome as unknown. ``BUG`` plants one mistake:

- ``retry-cas``: a cas with no answer is sent once more. When the first attempt did apply,
  the retry's compare fails and the client is told 409, a definite "nothing happened", for a
  cas that happened.
- ``cached-reads``: the api remembers the last value it read from the store for each
  register, and answers a read that got no answer from that memory with 200, as if it were
  current. While the store answers it changes nothing; a read whose answer is lost is
  answered at once with what an earlier read saw, missing the writes acknowledged since.

Run: ``STORE_URL=http://127.0.0.1:8001 python api.py --port 8000``.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
from typing import Any
from urllib.parse import urlsplit

import jsonhttp
import registers

BUG = os.environ.get("BUG", "")
STORE_TIMEOUT_S = 0.5
# Worst case (retry-cas) two store calls: 1 s, within the workload's 2 s client timeout.
NO_ANSWER: jsonhttp.Answer = (503, {"error": f"the store did not answer in {STORE_TIMEOUT_S} s"})


class Store:
    """The store at ``host:port``, one connection per call."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def call(self, method: str, path: str, body: Any = None) -> jsonhttp.Answer | None:
        """The store's (status, body), or None when it gave no answer in time."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=STORE_TIMEOUT_S)
        payload = None if body is None else json.dumps(body)
        try:
            connection.request(method, path, payload, {"Content-Type": "application/json"})
            response = connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            return None
        finally:
            connection.close()
        try:
            answer = json.loads(raw)
        except ValueError:  # a proxy's or a crashed server's error page
            answer = {"error": raw.decode(errors="replace")[:200]}
        return response.status, answer


class ReadCache:
    """The ``cached-reads`` bug: the last value read from the store, per register."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: dict[str, Any] = {}

    def remember(self, key: str, answer: jsonhttp.Answer) -> None:
        status, body = answer
        if status == 200:
            with self.lock:
                self.values[key] = body["value"]

    def recall(self, key: str) -> jsonhttp.Answer | None:
        with self.lock:
            return (200, {"value": self.values[key]}) if key in self.values else None


def main() -> None:
    url = urlsplit(os.environ.get("STORE_URL", ""))
    if not url.hostname:
        sys.exit("api: STORE_URL is not set (the store's base URL, e.g. http://127.0.0.1:8001)")
    store = Store(url.hostname, url.port or 80)
    cache = ReadCache()

    def read(key: str, _: Any) -> jsonhttp.Answer:
        answer = store.call("GET", registers.path(key))
        if BUG != "cached-reads":
            return answer or NO_ANSWER
        if answer is None:
            return cache.recall(key) or NO_ANSWER
        cache.remember(key, answer)
        return answer

    def write(key: str, body: Any) -> jsonhttp.Answer:
        return store.call("POST", registers.path(key), body) or NO_ANSWER

    def cas(key: str, body: Any) -> jsonhttp.Answer:
        answer = store.call("POST", registers.cas_path(key), body)
        if answer is None and BUG == "retry-cas":
            answer = store.call("POST", registers.cas_path(key), body)
        return answer or NO_ANSWER

    jsonhttp.serve("api", registers.routes(read, write, cas), sys.argv[1:])


if __name__ == "__main__":
    main()
