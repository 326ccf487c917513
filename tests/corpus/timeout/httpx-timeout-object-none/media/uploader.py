import os
from pathlib import Path

import httpx

STORAGE_URL = os.environ["STORAGE_URL"]
THUMBS_URL = os.environ["THUMBNAILS_URL"]

# Uploads can be large: keep a connect limit, no read limit.
UPLOAD_TIMEOUT = httpx.Timeout(None, connect=5.0)  # expect: SP102
# Streaming downloads: bounded reads, unbounded pool wait.
DOWNLOAD_TIMEOUT = httpx.Timeout(30.0, pool=None)


def upload(path: Path) -> str:
    with httpx.Client(base_url=STORAGE_URL, timeout=UPLOAD_TIMEOUT) as client:
        with path.open("rb") as fh:
            resp = client.put(f"/objects/{path.name}", content=fh)
        resp.raise_for_status()
        return resp.json()["url"]


def download(name: str, dest: Path) -> None:
    with httpx.stream("GET", f"{STORAGE_URL}/objects/{name}", timeout=DOWNLOAD_TIMEOUT) as resp:
        resp.raise_for_status()
        with dest.open("wb") as fh:
            for chunk in resp.iter_bytes():
                fh.write(chunk)


async def request_thumbnail(name: str) -> str:
    async with httpx.AsyncClient(timeout=httpx.Timeout(timeout=None)) as client:  # expect: SP102
        resp = await client.post(f"{THUMBS_URL}/jobs", json={"object": name})
        return resp.json()["job_id"]


async def thumbnail_status(job_id: str) -> str:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=None)) as client:  # expect: SP102
        resp = await client.get(f"{THUMBS_URL}/jobs/{job_id}")
        return resp.json()["state"]
