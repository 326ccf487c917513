import functools
import os

import requests

PROFILE_URL = os.environ["PROFILE_URL"]

get_with_timeout = functools.partial(requests.get, timeout=4)


def profile(user_id: str) -> dict:
    resp = get_with_timeout(f"{PROFILE_URL}/profiles/{user_id}")
    resp.raise_for_status()
    return resp.json()
