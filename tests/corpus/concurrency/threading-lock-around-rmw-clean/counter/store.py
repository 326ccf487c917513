"""Single-process ticket counter (one worker, one SQLite file), serialised by a lock."""

import sqlite3
import threading

_lock = threading.Lock()
_conn = sqlite3.connect("tickets.db", check_same_thread=False)


def next_ticket_number(queue: str) -> int:
    with _lock:
        row = _conn.execute("SELECT last_number FROM queues WHERE name = ?", (queue,)).fetchone()
        number = (row[0] if row else 0) + 1
        _conn.execute("UPDATE queues SET last_number = ? WHERE name = ?", (number, queue))
        _conn.commit()
    return number


def current(queue: str) -> int:
    row = _conn.execute("SELECT last_number FROM queues WHERE name = ?", (queue,)).fetchone()
    return row[0] if row else 0
