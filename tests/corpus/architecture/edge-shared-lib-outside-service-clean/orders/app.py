from fastapi import FastAPI
from sqlalchemy import text

from common.db import make_engine
from common.schemas import OrderOut

app = FastAPI()
engine = make_engine()


@app.get("/orders/{order_id}")
def get_order(order_id: str) -> OrderOut:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, status, total_cents FROM orders WHERE id = :i"), {"i": order_id}).one()
    return OrderOut(id=row.id, status=row.status, total_cents=row.total_cents)
