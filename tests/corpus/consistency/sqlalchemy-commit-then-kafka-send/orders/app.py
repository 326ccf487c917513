import json
import os
import uuid

from fastapi import Depends, FastAPI
from kafka import KafkaProducer
from pydantic import BaseModel
from sqlalchemy import Integer, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

engine = create_engine(os.environ.get("ORDERS_DATABASE_URL", "sqlite:///orders.db"))
SessionLocal = sessionmaker(bind=engine)
producer = KafkaProducer(
    bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP", "kafka:9092"),
    value_serializer=lambda v: json.dumps(v).encode("utf-8"),
)
app = FastAPI()


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    sku: Mapped[str] = mapped_column(String)
    quantity: Mapped[int] = mapped_column(Integer)


class OrderIn(BaseModel):
    sku: str
    quantity: int


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@app.post("/orders", status_code=201)
def create_order(body: OrderIn, db: Session = Depends(get_db)) -> dict:
    order = Order(id=str(uuid.uuid4()), sku=body.sku, quantity=body.quantity)
    db.add(order)
    db.commit()
    producer.send("orders.created", {"id": order.id, "sku": order.sku, "qty": order.quantity})  # expect: SP902
    return {"id": order.id}


@app.get("/orders/{order_id}")
def get_order(order_id: str, db: Session = Depends(get_db)) -> dict:
    order = db.get(Order, order_id)
    return {"id": order.id, "sku": order.sku, "quantity": order.quantity}
