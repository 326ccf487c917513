"""Metrics sink: consumes with no_ack=True (at most once), so a message is never redelivered."""

import asyncio
import json

import aio_pika
import asyncpg


async def main() -> None:
    pool = await asyncpg.create_pool("postgresql://metrics@db/metrics")
    connection = await aio_pika.connect_robust("amqp://guest:guest@rabbitmq/")
    channel = await connection.channel()
    queue = await channel.declare_queue("page-views")

    async def on_view(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        view = json.loads(message.body)
        await pool.execute("INSERT INTO page_views (path) VALUES ($1)", view["path"])

    await queue.consume(on_view, no_ack=True)
    await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
