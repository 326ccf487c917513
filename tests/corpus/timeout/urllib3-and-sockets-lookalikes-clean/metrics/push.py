"""Pushes metrics over StatsD (UDP); reads config over a local socket."""

import json
import os
import socket
from collections import Counter

STATSD = (os.environ.get("STATSD_HOST", "statsd"), int(os.environ.get("STATSD_PORT", "8125")))
counters: Counter[str] = Counter()


def incr(name: str, value: int = 1) -> None:
    counters[name] += value


def flush() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for name, value in counters.items():
            sock.sendto(f"{name}:{value}|c".encode(), STATSD)
    counters.clear()


def load_config(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return {"interval": data.get("interval", 10), "prefix": data.get("prefix", "svc")}


class Registry(dict):
    def post(self, name: str, value: float) -> None:
        self[name] = value

    def delete(self, name: str) -> None:
        self.pop(name, None)


registry = Registry()
registry.post("uptime", 1.0)
registry.delete("stale")
