from fastapi import APIRouter, HTTPException

from app.database import SessionLocal
from app.models import Item

router = APIRouter(prefix="/items")


@router.post("/{item_id}/consume")
def consume(item_id: int, amount: int = 1) -> dict:
    with SessionLocal() as db:
        item = db.query(Item).get(item_id)
        if item is None:
            raise HTTPException(status_code=404, detail="Item not found")
        if item.quantity < amount:
            raise HTTPException(status_code=400, detail="Not enough items")
        item.quantity = item.quantity - amount  # expect: SP701
        db.commit()
        return {"id": item.id, "quantity": item.quantity}


@router.put("/{item_id}")
def rename(item_id: int, name: str) -> dict:
    with SessionLocal() as db:
        item = db.query(Item).get(item_id)
        item.name = name
        db.commit()
        return {"id": item.id, "name": item.name}
