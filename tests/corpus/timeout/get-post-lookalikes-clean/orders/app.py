import json
import os

import redis
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from orders.models import Order

engine = create_engine(os.environ.get("ORDERS_DB", "sqlite:///orders.db"))
SessionLocal = sessionmaker(bind=engine)
cache = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))

app = FastAPI()
router = APIRouter(prefix="/orders")


def get_session():
    session = SessionLocal()
    try:
        yield session
    finally:
        session.close()


@router.get("/{order_id}")
def read_order(order_id: int, request: Request, session: Session = Depends(get_session)) -> dict:
    cached = cache.get(f"order:{order_id}")
    if cached:
        return json.loads(cached)
    order = session.get(Order, order_id)
    if order is None:
        raise HTTPException(status_code=404)
    fields = request.query_params.get("fields", "id,status").split(",")
    data = {name: getattr(order, name) for name in fields}
    cache.set(f"order:{order_id}", json.dumps(data), ex=60)
    return data


@router.delete("/{order_id}")
def delete_order(order_id: int, session: Session = Depends(get_session)) -> dict:
    order = session.get(Order, order_id)
    if order is not None:
        session.delete(order)
        session.commit()
    cache.delete(f"order:{order_id}")
    headers = {"x-deleted": "1"}
    return {"deleted": order_id, "trace": headers.get("x-deleted"), "env": os.environ.get("ENV")}


app.include_router(router)
