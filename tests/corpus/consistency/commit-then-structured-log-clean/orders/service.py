"""Domain events are logged and collected in memory for the response; nothing is published."""

import uuid
from dataclasses import dataclass, field

import structlog
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

log = structlog.get_logger()


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    status: Mapped[str] = mapped_column(String)


@dataclass
class Result:
    order_id: str
    events: list[dict] = field(default_factory=list)


def place(session: Session) -> Result:
    order = Order(id=str(uuid.uuid4()), status="placed")
    session.add(order)
    session.commit()
    result = Result(order.id)
    result.events.append({"type": "order.placed", "id": order.id})
    log.info("order.placed", order_id=order.id)
    return result
