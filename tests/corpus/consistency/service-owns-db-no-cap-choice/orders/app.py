import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

app = FastAPI()
engine = create_engine(os.environ["ORDERS_DATABASE_URL"])


@app.get("/orders/{order_id}")
def get_order(order_id: str) -> dict:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, status FROM orders WHERE id = :id"), {"id": order_id}).one()
    return {"id": row.id, "status": row.status}
