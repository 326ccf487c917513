import os
from pathlib import Path

import requests

MIRROR_URL = os.environ["MIRROR_URL"]
CHUNK = 1 << 20


def fetch(name: str, dest: Path, stream: bool = False, read_timeout: float | None = 60.0) -> Path:
    # (connect, read): the caller may lift the read limit for huge files on purpose.
    resp = requests.get(
        f"{MIRROR_URL}/files/{name}", stream=stream, timeout=(5, read_timeout)
    )
    resp.raise_for_status()
    with dest.open("wb") as fh:
        for chunk in resp.iter_content(CHUNK):
            fh.write(chunk)
    return dest


def checksum(name: str, slow: bool = False) -> str:
    resp = requests.get(f"{MIRROR_URL}/files/{name}.sha256", timeout=30 if slow else 5)
    resp.raise_for_status()
    return resp.text.strip()
