"""POST /refunds."""

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.orm import Session

from payments import models
from payments.database import get_db

router = APIRouter()


class RefundCreate(BaseModel):
    charge_id: int


@router.post("")
def create_refund(payload: RefundCreate, db: Session = Depends(get_db)):  # expect: SP401
    db.add(models.Refund(charge_id=payload.charge_id))
    db.commit()
    return {"refunded": payload.charge_id}
