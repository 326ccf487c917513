"""aio-pika consumer that checks a processed-messages table through a helper."""

import asyncio
import json
import os

import aio_pika
import asyncpg


async def already_processed(conn: asyncpg.Connection, message_id: str) -> bool:
    return await conn.fetchval("SELECT 1 FROM processed_messages WHERE id = $1", message_id) is not None


async def handle(pool: asyncpg.Pool, message: aio_pika.abc.AbstractIncomingMessage) -> None:
    async with message.process(), pool.acquire() as conn, conn.transaction():
        if await already_processed(conn, message.message_id):
            return
        order = json.loads(message.body)
        await conn.execute("INSERT INTO shipments (order_id) VALUES ($1)", order["id"])
        await conn.execute("INSERT INTO processed_messages (id) VALUES ($1)", message.message_id)


async def main() -> None:
    pool = await asyncpg.create_pool(os.environ["SHIPPING_DSN"])
    connection = await aio_pika.connect_robust(os.environ["AMQP_URL"])
    channel = await connection.channel()
    queue = await channel.declare_queue("orders.paid", durable=True)
    async with queue.iterator() as it:
        async for message in it:
            await handle(pool, message)


if __name__ == "__main__":
    asyncio.run(main())
