import os

import tenacity
from requests import Session

PAGER_URL = os.environ["PAGER_URL"]
session = Session()


@tenacity.retry(  # expect: SP201
    stop=tenacity.stop_never,
    wait=tenacity.wait_random_exponential(multiplier=1, max=60),
)
def current_oncall(team: str) -> str:
    resp = session.get(f"{PAGER_URL}/teams/{team}/oncall", timeout=5)
    resp.raise_for_status()
    return resp.json()["user"]
