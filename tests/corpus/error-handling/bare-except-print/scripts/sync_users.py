"""Copies users from the legacy API into the new directory service."""

import os

import httpx

LEGACY_URL = os.environ["LEGACY_URL"]
DIRECTORY_URL = os.environ["DIRECTORY_URL"]


def sync() -> int:
    users = httpx.get(f"{LEGACY_URL}/users", timeout=30).json()
    created = 0
    with httpx.Client(base_url=DIRECTORY_URL, timeout=10) as directory:
        try:
            directory.post("/bulk/begin")  # expect: SP001
        except:
            print("could not open bulk session")
        for user in users:
            directory.put(f"/users/{user['id']}", json=user)
            created += 1
        try:
            directory.post("/bulk/commit")  # expect: SP001
        except Exception as exc:
            print(f"commit failed: {exc}")
    print(f"synced {created} users")
    return created


if __name__ == "__main__":
    sync()
