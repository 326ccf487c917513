"""Async notification worker on aiokafka."""

import asyncio
import json
import os

import httpx
from aiokafka import AIOKafkaConsumer

PUSH_URL = os.environ.get("PUSH_URL", "http://push-gateway:8080")


async def consume() -> None:
    consumer = AIOKafkaConsumer(
        "bookings.confirmed",
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP", "kafka:9092"),
        group_id="notifications",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:
            async for msg in consumer:  # expect: SP402
                booking = json.loads(msg.value)
                await client.post(
                    f"{PUSH_URL}/push",
                    json={"user_id": booking["user_id"], "text": "Your booking is confirmed"},
                )
                await consumer.commit()
    finally:
        await consumer.stop()


if __name__ == "__main__":
    asyncio.run(consume())
