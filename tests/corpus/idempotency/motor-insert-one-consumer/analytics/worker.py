"""aiokafka consumer writing events and counters to MongoDB with motor."""

import asyncio
import json
import os

from aiokafka import AIOKafkaConsumer
from motor.motor_asyncio import AsyncIOMotorClient

mongo = AsyncIOMotorClient(os.getenv("MONGO_URL", "mongodb://mongo:27017"))
db = mongo["analytics"]


async def consume() -> None:
    consumer = AIOKafkaConsumer("orders.placed", bootstrap_servers="kafka:9092", group_id="analytics")
    await consumer.start()
    try:
        async for msg in consumer:  # expect: SP402
            order = json.loads(msg.value)
            await db.orders.insert_one({"order_id": order["id"], "total": order["total"]})
            await db.customers.update_one(
                {"_id": order["customer_id"]}, {"$inc": {"order_count": 1}}, upsert=True
            )
    finally:
        await consumer.stop()


if __name__ == "__main__":
    asyncio.run(consume())
