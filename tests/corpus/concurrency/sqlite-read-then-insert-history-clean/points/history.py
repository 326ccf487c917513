"""Append-only points ledger: the balance is derived, never overwritten."""

import sqlite3
from datetime import datetime, timezone


def record_purchase(conn: sqlite3.Connection, member_id: str, amount_cents: int) -> int:
    cur = conn.cursor()
    cur.execute("SELECT COALESCE(SUM(delta), 0) FROM point_events WHERE member_id = ?", (member_id,))
    (balance,) = cur.fetchone()
    earned = amount_cents // 100
    cur.execute(
        "INSERT INTO point_events (member_id, delta, balance_after, created_at) VALUES (?, ?, ?, ?)",
        (member_id, earned, balance + earned, datetime.now(timezone.utc).isoformat()),
    )
    conn.commit()
    return balance + earned


def balance(conn: sqlite3.Connection, member_id: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(delta), 0) FROM point_events WHERE member_id = ?", (member_id,)
    ).fetchone()
    return row[0]
