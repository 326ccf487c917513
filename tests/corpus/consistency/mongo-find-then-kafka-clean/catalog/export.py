import json
import os

from kafka import KafkaProducer
from motor.motor_asyncio import AsyncIOMotorClient

client = AsyncIOMotorClient(os.environ["CATALOG_MONGO_URI"])
products = client.catalog.products
producer = KafkaProducer(bootstrap_servers=os.environ["KAFKA_BOOTSTRAP"])


async def export_changed(since: float) -> int:
    count = 0
    async for doc in products.find({"updated_at": {"$gt": since}}):
        doc["_id"] = str(doc["_id"])
        producer.send("catalog.products", json.dumps(doc, default=str).encode())
        count += 1
    total = await products.count_documents({})
    producer.send("catalog.stats", json.dumps({"total": total}).encode())
    return count
