import uuid
from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    status: Mapped[str] = mapped_column(String)


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    topic: Mapped[str] = mapped_column(String)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def place_order(session: Session, customer_id: str) -> Order:
    order = Order(id=str(uuid.uuid4()), status="placed")
    session.add(order)
    session.add(
        OutboxEvent(
            id=str(uuid.uuid4()),
            topic="orders.placed",
            payload={"order_id": order.id, "customer_id": customer_id},
            created_at=datetime.now(timezone.utc),
        )
    )
    session.commit()
    return order
