"""aiokafka consumer that upserts the latest profile by user id."""

import asyncio
import json
import os

import asyncpg
from aiokafka import AIOKafkaConsumer

UPSERT = """
INSERT INTO profiles (user_id, email, name) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name
"""


async def main() -> None:
    pool = await asyncpg.create_pool(os.environ["PROFILES_DSN"])
    consumer = AIOKafkaConsumer("users.updated", bootstrap_servers="kafka:9092", group_id="profiles")
    await consumer.start()
    try:
        async for msg in consumer:
            user = json.loads(msg.value)
            await pool.execute(UPSERT, user["id"], user["email"], user["name"])
    finally:
        await consumer.stop()


if __name__ == "__main__":
    asyncio.run(main())
