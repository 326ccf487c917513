from fastapi import HTTPException
from sqlalchemy.orm import Session

from app import models, schemas


def get_item(db: Session, item_id: int) -> models.Item | None:
    return db.query(models.Item).filter(models.Item.id == item_id).first()


def list_items(db: Session, skip: int = 0, limit: int = 100) -> list[models.Item]:
    return db.query(models.Item).offset(skip).limit(limit).all()


def create_item(db: Session, item: schemas.ItemCreate) -> models.Item:
    db_item = models.Item(**item.model_dump())
    db.add(db_item)
    db.commit()
    db.refresh(db_item)
    return db_item


def consume_item(db: Session, item_id: int, amount: int) -> models.Item:
    db_item = get_item(db, item_id)
    if db_item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    if db_item.quantity < amount:
        raise HTTPException(status_code=400, detail="Not enough stock")
    db_item.quantity -= amount  # expect: SP701
    db.commit()
    db.refresh(db_item)
    return db_item


def reorder(db: Session) -> None:
    for position, item in enumerate(list_items(db)):
        item.position = position
    db.commit()


def rename_item(db: Session, item_id: int, name: str) -> models.Item:
    db_item = get_item(db, item_id)
    db_item.name = name
    db.commit()
    return db_item
