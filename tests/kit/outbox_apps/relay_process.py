"""A relay as a real process, on an SQLite outbox::

    python -m tests.kit.outbox_apps.relay_process DB LOG [--lease S] [--batch N]
                                                         [--delay S] [--hang-on SEQ]

It appends a JSON line to LOG when it is ready, and two for each delivery: ``start``, then
``done`` after ``--delay`` seconds; each names the event (seq, id, key), this process's pid
and the wall-clock time. The delivery of event ``--hang-on`` starts and never ends: the test
kills the process there, as a crash mid-delivery. SIGTERM stops the relay after its cycle.

Lines are single ``write`` calls to a file opened for appending, so those of several
processes never interleave."""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from typing import Any

from stormproof.kit.outbox import Event, Relay, SqliteOutbox

IDLE_S = 0.02


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("log")
    parser.add_argument("--lease", type=float, default=30.0)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--hang-on", type=int, default=None)
    args = parser.parse_args(argv)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    log = os.open(args.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def record(phase: str, **fields: Any) -> None:
        line = {"phase": phase, "pid": os.getpid(), "time": time.time(), **fields}
        os.write(log, (json.dumps(line) + "\n").encode())

    def deliver(event: Event) -> None:
        record("start", seq=event.seq, id=event.id, key=event.key)
        if event.seq == args.hang_on:
            while True:  # a delivery that never returns; the test kills us
                time.sleep(60)
        time.sleep(args.delay)
        record("done", seq=event.seq, id=event.id, key=event.key)

    relay = Relay(
        SqliteOutbox(args.db),
        deliver,
        batch=args.batch,
        lease=args.lease,
        idle=IDLE_S,
        name=f"process-{os.getpid()}",
    )
    record("ready")
    relay.run_forever(stop)


if __name__ == "__main__":
    main()
