"""Loyalty points. The version guard is there, but nobody looks at the rowcount."""

import logging

import psycopg
from psycopg.rows import dict_row

log = logging.getLogger(__name__)


def add_points(dsn: str, member_id: str, points: int) -> int:
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        row = conn.execute(
            "SELECT points, version FROM members WHERE id = %s", (member_id,)
        ).fetchone()
        total = row["points"] + points
        conn.execute(  # expect: SP701
            "UPDATE members SET points = %s, version = version + 1 "
            "WHERE id = %s AND version = %s",
            (total, member_id, row["version"]),
        )
        log.info("member %s now has %s points", member_id, total)
        return total


def rename(dsn: str, member_id: str, name: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE members SET name = %s WHERE id = %s", (name, member_id))
