"""Cart totals are derived from the lines; each write stores a value computed from other columns."""

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Cart(Base):
    __tablename__ = "carts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=0)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    tier: Mapped[str] = mapped_column(String, default="standard")
    lines: Mapped[list["CartLine"]] = relationship()


class CartLine(Base):
    __tablename__ = "cart_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id"))
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    quantity: Mapped[int] = mapped_column(Integer)


def recalculate(session: Session, cart_id: int) -> Cart:
    cart = session.get(Cart, cart_id)
    cart.total = sum((line.price * line.quantity for line in cart.lines), Decimal(0))
    cart.item_count = sum(line.quantity for line in cart.lines)
    cart.tier = "bulk" if cart.item_count > 50 else "standard"
    session.commit()
    return cart
