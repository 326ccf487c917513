import os

import backoff
import requests
from requests.adapters import HTTPAdapter

ROUTING_URL = os.environ["ROUTING_URL"]


class RoutingClient:
    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(max_retries=3))

    @backoff.on_exception(backoff.expo, requests.RequestException, max_tries=3)  # expect: SP205
    def route(self, origin: str, destination: str) -> dict:
        resp = self.session.get(
            f"{ROUTING_URL}/route",
            params={"from": origin, "to": destination},
            timeout=5,
        )
        resp.raise_for_status()
        return resp.json()
