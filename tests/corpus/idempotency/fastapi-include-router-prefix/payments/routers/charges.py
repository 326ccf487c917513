"""POST /charges and friends."""

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel
from sqlalchemy.orm import Session

from payments import models
from payments.database import get_db

router = APIRouter()


class ChargeCreate(BaseModel):
    user_id: str
    amount_cents: int


@router.post("/", status_code=201)
def create_charge(payload: ChargeCreate, db: Session = Depends(get_db)):  # expect: SP401
    charge = models.Charge(user_id=payload.user_id, amount_cents=payload.amount_cents)
    db.add(charge)
    db.commit()
    db.refresh(charge)
    return {"id": charge.id, "status": charge.status}


@router.get("/{charge_id}")
def read_charge(charge_id: int, db: Session = Depends(get_db)):
    charge = db.get(models.Charge, charge_id)
    if charge is None:
        raise HTTPException(status_code=404, detail="Charge not found")
    return {"id": charge.id, "status": charge.status}
