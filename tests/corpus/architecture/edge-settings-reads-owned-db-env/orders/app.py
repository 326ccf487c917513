import os

import psycopg
from fastapi import FastAPI

app = FastAPI()
DSN = os.environ["ORDERS_DATABASE_URL"]


@app.get("/orders/{order_id}")
def get_order(order_id: str) -> dict:
    with psycopg.connect(DSN) as conn:
        row = conn.execute("SELECT id, status FROM orders WHERE id = %s", (order_id,)).fetchone()
    return {"id": row[0], "status": row[1]}
