"""Loyalty points with optimistic concurrency: a version column and a rowcount check."""

import psycopg
from psycopg.rows import dict_row


class ConcurrentUpdate(Exception):
    """Another request changed the row first; the caller retries."""


def add_points(dsn: str, member_id: str, points: int) -> int:
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        row = conn.execute(
            "SELECT points, version FROM members WHERE id = %s", (member_id,)
        ).fetchone()
        total = row["points"] + points
        cur = conn.execute(
            "UPDATE members SET points = %s, version = version + 1 "
            "WHERE id = %s AND version = %s",
            (total, member_id, row["version"]),
        )
        if cur.rowcount != 1:
            raise ConcurrentUpdate(member_id)
        return total


def member_points(dsn: str, member_id: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT points FROM members WHERE id = %s", (member_id,)).fetchone()
    return row[0] if row else 0
