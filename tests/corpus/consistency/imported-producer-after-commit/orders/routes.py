import uuid

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from orders.db import get_session
from orders.kafka import producer
from orders.models import Order

router = APIRouter()


class OrderCreate(BaseModel):
    customer_id: str
    total_cents: int


@router.post("/orders", status_code=201)
async def create_order(body: OrderCreate, session: AsyncSession = Depends(get_session)) -> dict:
    order = Order(id=str(uuid.uuid4()), customer_id=body.customer_id, total_cents=body.total_cents)
    session.add(order)
    await session.commit()
    await producer.send_and_wait("orders.created", {"id": order.id, "total": order.total_cents})  # expect: SP902
    return {"id": order.id}


@router.post("/orders/{order_id}/ping")
async def ping(order_id: str) -> dict:
    await producer.send_and_wait("orders.ping", {"id": order_id})
    return {"ok": True}
