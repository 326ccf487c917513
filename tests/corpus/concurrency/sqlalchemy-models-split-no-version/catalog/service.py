from sqlalchemy.orm import Session

from catalog.models import Product


class NotEnoughStock(Exception):
    pass


def take_stock(db: Session, sku: str, qty: int) -> int:
    product = db.query(Product).filter(Product.sku == sku).first()
    if product is None or product.stock < qty:
        raise NotEnoughStock(sku)
    product.stock = product.stock - qty  # expect: SP701
    db.commit()
    return product.stock


def rename(db: Session, sku: str, name: str) -> None:
    product = db.query(Product).filter_by(sku=sku).one()
    product.name = name.strip()
    db.commit()


def create(db: Session, sku: str, name: str, stock: int) -> Product:
    product = Product(sku=sku, name=name, stock=0)
    product.stock += stock
    db.add(product)
    db.commit()
    return product
