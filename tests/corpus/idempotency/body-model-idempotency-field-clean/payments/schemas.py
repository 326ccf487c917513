"""Request bodies."""

from pydantic import BaseModel, Field


class ChargeRequest(BaseModel):
    idempotency_key: str = Field(min_length=8, max_length=64)
    user_id: str
    amount_cents: int = Field(gt=0)
