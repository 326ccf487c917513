"""Shipping worker on aio-pika: creates shipments for paid orders."""

import asyncio
import json
import os

import aio_pika
import asyncpg


async def create_shipment(pool: asyncpg.Pool, order: dict) -> None:
    await pool.execute(
        "INSERT INTO shipments (order_id, address) VALUES ($1, $2)", order["id"], order["address"]
    )


async def on_return(message: aio_pika.abc.AbstractIncomingMessage) -> None:  # expect: SP402
    async with message.process():
        data = json.loads(message.body)
        async with asyncpg.create_pool(os.environ["SHIPPING_DSN"]) as pool:
            await pool.execute("UPDATE stock SET qty = qty + $1 WHERE sku = $2", data["qty"], data["sku"])


async def main() -> None:
    connection = await aio_pika.connect_robust(os.environ["AMQP_URL"])
    pool = await asyncpg.create_pool(os.environ["SHIPPING_DSN"])
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=20)
        paid = await channel.declare_queue("orders.paid", durable=True)
        returns = await channel.declare_queue("orders.returned", durable=True)
        await returns.consume(on_return)
        async with paid.iterator() as queue_iter:
            async for message in queue_iter:  # expect: SP402
                async with message.process():
                    order = json.loads(message.body)
                    await pool.execute(
                        "INSERT INTO shipments (order_id, address) VALUES ($1, $2)",
                        order["id"],
                        order["address"],
                    )


if __name__ == "__main__":
    asyncio.run(main())
