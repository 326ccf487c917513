from sqlalchemy.orm import Session

from catalog.models import Product


class NotEnoughStock(Exception):
    pass


def take_stock(db: Session, sku: str, qty: int) -> int:
    product = db.query(Product).filter(Product.sku == sku).first()
    if product is None or product.stock < qty:
        raise NotEnoughStock(sku)
    product.stock = product.stock - qty
    db.commit()
    return product.stock


def put_back(db: Session, sku: str, qty: int) -> None:
    product = db.get(Product, sku)
    product.stock += qty
    db.commit()
