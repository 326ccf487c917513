"""Outgoing headers for booking's calls."""

from opentelemetry.propagate import inject


def outgoing() -> dict[str, str]:
    carrier: dict[str, str] = {"User-Agent": "booking"}
    inject(carrier)
    return carrier
