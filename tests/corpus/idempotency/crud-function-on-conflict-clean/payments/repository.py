"""Payment persistence; inserts are keyed on the booking id."""

import psycopg


def record_payment(conn: psycopg.Connection, booking_id: str, amount: float) -> int:
    row = conn.execute(
        """
        INSERT INTO payments (booking_id, amount) VALUES (%s, %s)
        ON CONFLICT (booking_id) DO UPDATE SET amount = payments.amount
        RETURNING id
        """,
        (booking_id, amount),
    ).fetchone()
    conn.commit()
    return row[0]
