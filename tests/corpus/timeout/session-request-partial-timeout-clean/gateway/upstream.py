import functools
import os

import requests

USERS_URL = os.environ["USERS_URL"]
DEFAULT_TIMEOUT = (3.05, 15)


class Upstream:
    def __init__(self) -> None:
        self.session = requests.Session()
        # Every request made through this session gets a timeout.
        self.session.request = functools.partial(self.session.request, timeout=DEFAULT_TIMEOUT)

    def user(self, user_id: str) -> dict:
        resp = self.session.get(f"{USERS_URL}/users/{user_id}")
        resp.raise_for_status()
        return resp.json()

    def rename(self, user_id: str, name: str) -> None:
        self.session.patch(f"{USERS_URL}/users/{user_id}", json={"name": name}).raise_for_status()
