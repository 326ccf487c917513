"""Loopback ports for the services of a chaos run: free ones to hand out, fixed ones to check."""

from __future__ import annotations

import contextlib
import errno
import socket
from collections.abc import Collection, Iterator

HOST = "127.0.0.1"


@contextlib.contextmanager
def reserved_ports(count: int, *, avoid: Collection[int] = ()) -> Iterator[list[int]]:
    """``count`` distinct free loopback ports, none of them in ``avoid`` (the fixed ports that
    services declare, which are free now but taken later), held bound until the block ends.

    Holding them keeps the kernel from giving one of them to anything else that binds port 0
    in the meantime (the run's own proxies do); the services bind them after the block."""
    sockets: list[socket.socket] = []
    try:
        # The ports held are distinct, so at most len(avoid) of count + len(avoid) are avoided.
        for _ in range(count + len(avoid)):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind((HOST, 0))
        ports = [sock.getsockname()[1] for sock in sockets]
        yield [port for port in ports if port not in avoid][:count]
    finally:
        for sock in sockets:
            sock.close()


def port_in_use(port: int) -> bool:
    """Whether some socket already listens on loopback ``port``.

    SO_REUSEADDR, as servers set it, so that connections of an earlier server lingering in
    TIME_WAIT do not count: only a socket bound to it now (a listener) makes the bind fail."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False
