"""Hotels on Postgres: replays of the same booking hit the unique constraint and do nothing."""

import os

import psycopg2
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class ReserveIn(BaseModel):
    booking_id: str
    hotel_id: str
    nights: int


@app.post("/reservations")
def reserve(body: ReserveIn) -> dict:
    conn = psycopg2.connect(os.environ["HOTELS_DSN"])
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                """
                INSERT INTO reservations (booking_id, hotel_id, nights)
                VALUES (%s, %s, %s)
                ON CONFLICT (booking_id) DO NOTHING
                """,
                (body.booking_id, body.hotel_id, body.nights),
            )
            cur.execute("SELECT id FROM reservations WHERE booking_id = %s", (body.booking_id,))
            (reservation_id,) = cur.fetchone()
    finally:
        conn.close()
    return {"id": reservation_id}
