"""Nightly export: pushes ledger snapshots to the archive and the warehouse.

SP102 points at the argument that switches the timeout off, not at the first
line of a call that spans several lines.
"""

import os

import aiohttp
import httpx
import requests

ARCHIVE_URL = os.environ["ARCHIVE_URL"]
WAREHOUSE_URL = os.environ["WAREHOUSE_URL"]


class ArchiveUploader:
    def __init__(self) -> None:
        self.session = requests.Session()
        self.warehouse = httpx.Client(
            base_url=WAREHOUSE_URL,
            timeout=None,  # expect: SP102
            follow_redirects=True,
        )

    def upload(self, day: str, snapshot: bytes) -> None:
        self.session.put(
            f"{ARCHIVE_URL}/snapshots/{day}",
            data=snapshot,
            timeout=None,  # expect: SP102
            headers={"Content-Type": "application/octet-stream"},
        ).raise_for_status()

    def verify(self, day: str) -> str:
        resp = self.session.get(
            f"{ARCHIVE_URL}/snapshots/{day}/digest",
            timeout=(  # expect: SP102
                3.05,
                None,
            ),
        )
        resp.raise_for_status()
        return resp.text

    def load(self, day: str) -> None:
        self.warehouse.post(
            "/loads",
            json={"day": day},
            timeout=30.0,
        ).raise_for_status()


async def stream_to_warehouse(rows: list[dict]) -> None:
    no_limit = aiohttp.ClientTimeout(  # expect: SP102
        total=None,
        sock_connect=None,
    )
    async with aiohttp.ClientSession(timeout=no_limit) as session:
        async with session.post(f"{WAREHOUSE_URL}/rows", json=rows) as resp:
            resp.raise_for_status()
