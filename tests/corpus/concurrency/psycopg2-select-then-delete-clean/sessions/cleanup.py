"""Remove sessions of deactivated users."""

import os

import psycopg2

conn = psycopg2.connect(os.environ["AUTH_DSN"])


def purge_user(user_id: int) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM sessions WHERE user_id = %s", (user_id,))
        ids = [row[0] for row in cur.fetchall()]
        if ids:
            cur.execute("DELETE FROM sessions WHERE id = ANY(%s)", (ids,))
        cur.execute("UPDATE users SET active = false WHERE id = %s", (user_id,))
    conn.commit()
    return len(ids)
