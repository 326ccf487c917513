"""Legacy export job; the team turned the timeout policy off for it on purpose."""

import os

import requests

EXPORT_URL = os.environ["EXPORT_URL"]


def export(day: str) -> int:
    resp = requests.get(f"{EXPORT_URL}/exports/{day}")
    resp.raise_for_status()
    rows = resp.json()["rows"]
    requests.post(f"{EXPORT_URL}/exports/{day}/ack", json={"rows": len(rows)}, timeout=None)
    return len(rows)


if __name__ == "__main__":
    print(export(os.environ["EXPORT_DAY"]))
