"""Manual smoke test: hits whatever base URL is given on the command line."""

import argparse
import sys

import httpx


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("--flight", default="LH-100")
    args = parser.parse_args()

    health = httpx.get(f"{args.base_url}/health", timeout=5.0)
    print("health:", health.status_code)
    booking = httpx.post(
        f"{args.base_url}/bookings",
        json={"user_id": "smoke", "flight_id": args.flight, "amount_cents": 100},
        timeout=10.0,
    )
    print("booking:", booking.status_code, booking.text)
    return 0 if booking.is_success else 1


if __name__ == "__main__":
    sys.exit(main())
