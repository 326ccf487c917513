"""Operator script: moves tenants between regions."""

import argparse
import os
import sys

import requests

ADMIN_URL = os.environ.get("ADMIN_URL", "http://admin:8000")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tenant")
    parser.add_argument("region")
    args = parser.parse_args()
    try:
        resp = requests.post(
            f"{ADMIN_URL}/tenants/{args.tenant}/move", json={"region": args.region}, timeout=60
        )
        resp.raise_for_status()
    except Exception as exc:
        print(f"move failed: {exc}", file=sys.stderr)
        sys.exit(1)
    print(resp.json()["job_id"])


if __name__ == "__main__":
    main()
