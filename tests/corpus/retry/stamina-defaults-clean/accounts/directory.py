import os

import httpx
import stamina

DIRECTORY_URL = os.environ["DIRECTORY_URL"]
directory = httpx.Client(base_url=DIRECTORY_URL, timeout=5.0)


@stamina.retry(on=httpx.HTTPError, attempts=3)
def lookup(email: str) -> dict:
    resp = directory.get("/people", params={"email": email})
    resp.raise_for_status()
    return resp.json()


@stamina.retry(on=httpx.TransportError, timeout=15.0)
def groups(person_id: str) -> list[str]:
    resp = directory.get(f"/people/{person_id}/groups")
    resp.raise_for_status()
    return resp.json()["groups"]
