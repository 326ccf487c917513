"""The event id is the document _id: a redelivery hits the unique index and is skipped."""

import asyncio
import json

from aiokafka import AIOKafkaConsumer
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo.errors import DuplicateKeyError

db = AsyncIOMotorClient("mongodb://mongo:27017")["analytics"]


async def consume() -> None:
    consumer = AIOKafkaConsumer("orders.placed", bootstrap_servers="kafka:9092", group_id="analytics")
    await consumer.start()
    try:
        async for msg in consumer:
            order = json.loads(msg.value)
            try:
                await db.orders.insert_one({"_id": order["event_id"], "total": order["total"]})
            except DuplicateKeyError:
                continue
            await db.customers.update_one({"_id": order["customer_id"]}, {"$inc": {"order_count": 1}})
    finally:
        await consumer.stop()


if __name__ == "__main__":
    asyncio.run(consume())
