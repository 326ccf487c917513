import json
import os
from datetime import datetime, timezone

from aiokafka import AIOKafkaProducer
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Restock(Base):
    __tablename__ = "restocks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sku: Mapped[str] = mapped_column(String)
    quantity: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RestockService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.producer = AIOKafkaProducer(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"])

    async def start(self) -> None:
        await self.producer.start()

    async def restock(self, sku: str, quantity: int) -> None:
        await self.producer.send_and_wait(
            "inventory.restocked", json.dumps({"sku": sku, "qty": quantity}).encode()
        )
        self.session.add(Restock(sku=sku, quantity=quantity, at=datetime.now(timezone.utc)))  # expect: SP902
        await self.session.commit()
