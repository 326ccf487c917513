"""Telemetry sink: Kafka → Postgres, and raises alerts for readings over their limit."""

import asyncio
import json
import logging
import os

import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

logger = logging.getLogger("ingest")

LIMITS = {"temperature_c": 85.0, "vibration_g": 4.0, "pressure_kpa": 900.0}

engine = create_async_engine(os.environ["READINGS_DSN"], pool_size=10)
Sessions = async_sessionmaker(engine, expire_on_commit=False)
alerts = aioredis.from_url(os.environ["ALERTS_REDIS_URL"])


class Base(DeclarativeBase):
    pass


class DeviceStats(Base):
    __tablename__ = "device_stats"
    device_id: Mapped[str] = mapped_column(primary_key=True)
    readings: Mapped[int] = mapped_column(default=0)
    breaches: Mapped[int] = mapped_column(default=0)


INSERT_READING = text(
    "INSERT INTO readings (reading_id, device_id, metric, value, taken_at)"
    " VALUES (:reading_id, :device_id, :metric, :value, :taken_at)"
    " ON CONFLICT (reading_id) DO NOTHING"
)


async def store(session: AsyncSession, reading: dict) -> None:
    inserted = await session.execute(INSERT_READING, reading)
    if inserted.rowcount == 0:
        return  # redelivered after a rebalance: already stored
    breach = reading["value"] > LIMITS.get(reading["metric"], float("inf"))
    await session.execute(
        update(DeviceStats)
        .where(DeviceStats.device_id == reading["device_id"])
        .values(readings=DeviceStats.readings + 1)
    )
    if breach:
        stats = await session.get(DeviceStats, reading["device_id"])
        stats.breaches = stats.breaches + 1
    await session.commit()
    if breach:
        await alerts.xadd(
            "alerts", {"device_id": reading["device_id"], "metric": reading["metric"]}
        )


async def run() -> None:
    consumer = AIOKafkaConsumer(
        "telemetry",
        bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"],
        group_id="ingest",
        enable_auto_commit=False,
        value_deserializer=lambda raw: json.loads(raw),
    )
    await consumer.start()
    try:
        async for message in consumer:
            async with Sessions() as session:
                await store(session, message.value)
            await consumer.commit()
    finally:
        await consumer.stop()


if __name__ == "__main__":
    asyncio.run(run())
