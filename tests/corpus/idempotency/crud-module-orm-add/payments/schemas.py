"""Pydantic schemas."""

from pydantic import BaseModel, ConfigDict


class PaymentCreate(BaseModel):
    booking_id: str
    amount: float


class Payment(PaymentCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
