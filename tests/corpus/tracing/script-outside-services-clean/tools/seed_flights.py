"""Developer tool: seeds flights through the public API; not part of any service."""

import json
import sys
from pathlib import Path

import httpx


def main(base_url: str, seed_file: str) -> None:
    flights = json.loads(Path(seed_file).read_text())
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        for flight in flights:
            resp = client.post("/flights", json=flight)
            print(flight["id"], resp.status_code)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
