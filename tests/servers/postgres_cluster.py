"""A throwaway PostgreSQL cluster for tests: ``initdb`` in a temporary directory, ``pg_ctl
start`` on a free loopback port (no Unix socket), stopped and deleted on the way out.

PostgreSQL refuses to run as root; under root the cluster runs as the ``postgres`` account,
which owns the directory. :class:`Unavailable` says why no cluster can be had (no binaries, no
account to run them as), for the test to skip with that reason."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.servers import free_port

USER = "stormproof"
START_TIMEOUT_S = 30


class Unavailable(Exception):
    """No cluster can be started here; the message says why."""


def _binary(name: str) -> str:
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None
    )
    if found is None:
        raise Unavailable(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found


def _account() -> str | None:
    """The account to run PostgreSQL as: None for the current one, unless that is root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("running as root and there is no 'postgres' account to run as") from None
    return "postgres"


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster; yield its libpq connection string (database ``postgres``)."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    account = _account()
    base = Path(tempfile.mkdtemp(prefix="stormproof-pg-"))
    if account is not None:
        shutil.chown(base, user=account)
    data, log = base / "data", base / "server.log"

    def run(*command: str) -> None:
        done = subprocess.run(
            command, user=account, capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode != 0:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command[:2]} failed: {done.stdout}{done.stderr}{tail}")

    try:
        run(initdb, "-D", str(data), "-A", "trust", "-U", USER, "--no-sync", "-E", "UTF8",
            "--no-locale")  # fmt: skip
        port = free_port()
        options = f"-F -c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories=''"
        run(pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", str(START_TIMEOUT_S),
            "-o", options, "start")  # fmt: skip
        try:
            yield f"host=127.0.0.1 port={port} user={USER} dbname=postgres connect_timeout=10"
        finally:
            run(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(base, ignore_errors=True)
