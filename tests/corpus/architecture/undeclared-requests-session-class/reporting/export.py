"""Nightly export: joins orders with user profiles."""

import csv
import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


class Api:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.mount("http://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))

    def get(self, path: str, **params) -> dict:
        resp = self.session.get(f"{self.base_url}{path}", params=params, timeout=10)
        resp.raise_for_status()
        return resp.json()


def export(path: str) -> None:
    orders = Api(os.environ["ORDERS_URL"])
    session = requests.Session()
    users_url = os.environ["USERS_URL"]  # expect: SP802
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        for order in orders.get("/orders", since="yesterday")["items"]:
            user = session.get(f"{users_url}/users/{order['user_id']}", timeout=10).json()  # expect: SP802
            writer.writerow([order["id"], user["email"], order["total"]])
