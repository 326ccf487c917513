import os

from fastapi import FastAPI
from sqlalchemy import create_engine, text

app = FastAPI()
engine = create_engine(os.environ["PAYMENTS_DB_DSN"])


@app.get("/charges/{charge_id}")
def charge(charge_id: str) -> dict:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, amount FROM charges WHERE id = :id"), {"id": charge_id}).one()
    return {"id": row.id, "amount": row.amount}
