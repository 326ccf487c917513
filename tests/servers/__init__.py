"""Throwaway servers for tests (PostgreSQL, Redis), started and stopped by the tests."""

import socket


def free_port() -> int:
    """A loopback port free right now (a small window to lose it in: a server start on it
    would then fail loudly)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
