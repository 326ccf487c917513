from pydantic import BaseModel


class OrderOut(BaseModel):
    id: str
    status: str
    total_cents: int
