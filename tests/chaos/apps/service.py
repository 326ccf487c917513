"""A tiny stdlib HTTP service for the chaos tests.

    python service.py [--port PORT] [--db PATH] [--child] [--ignore-term]

The port is --port, else $PORT. GET /health; GET /whoami (pid, time.time(), the child's
pid); GET /items and POST /items/<id> (kept in SQLite at --db); GET /forward/<path> asks
$BACK_URL/<path> and answers with its status and body (502 when it cannot). --child starts
a long-lived child process (to show that teardown reaches the whole process group);
--ignore-term ignores SIGTERM (so does the child: an ignored signal stays ignored in it).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FORWARD_TIMEOUT_S = 2.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    db: str | None = None
    child: int | None = None

    def log_message(self, format: str, *args: object) -> None:
        print(f"{self.command} {self.path}", flush=True)

    def _answer(self, status: int, body: object) -> None:
        self._send(status, json.dumps(body).encode())

    def _send(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _items(self) -> sqlite3.Connection:
        assert self.db is not None
        connection = sqlite3.connect(self.db)
        connection.execute("CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY)")
        return connection

    def do_GET(self) -> None:
        if self.path == "/health":
            self._answer(200, "ok")
        elif self.path == "/whoami":
            self._answer(200, {"pid": os.getpid(), "time": time.time(), "child": self.child})
        elif self.path == "/items":
            with self._items() as connection:
                rows = connection.execute("SELECT id FROM items ORDER BY id").fetchall()
            self._answer(200, [row[0] for row in rows])
        elif self.path.startswith("/forward/"):
            self._forward(self.path.removeprefix("/forward"))
        else:
            self._answer(404, "no such route")

    def do_POST(self) -> None:
        if self.path.startswith("/items/"):
            item = self.path.removeprefix("/items/")
            with self._items() as connection:
                connection.execute("INSERT OR IGNORE INTO items VALUES (?)", (item,))
            self._answer(200, item)
        else:
            self._answer(404, "no such route")

    def _forward(self, path: str) -> None:
        # No proxy handler: the chaos proxy in BACK_URL is the only one between us.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(os.environ["BACK_URL"] + path, timeout=FORWARD_TIMEOUT_S) as answer:
                self._send(answer.status, answer.read())
        except urllib.error.HTTPError as error:
            self._send(error.code, error.read())
        except OSError as error:
            self._answer(502, f"{type(error).__name__}: {error}")


def main() -> None:
    parser = argparse.ArgumentParser()
    # The port comes as --port or in $PORT, the two ways a manifest can tell it.
    parser.add_argument("--port", type=int, default=os.environ.get("PORT"))
    parser.add_argument("--db")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--ignore-term", action="store_true")
    args = parser.parse_args()
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    Handler.db = args.db
    if args.child:
        sleeper = [sys.executable, "-c", "import time; time.sleep(600)"]
        Handler.child = subprocess.Popen(sleeper).pid
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening on {args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
