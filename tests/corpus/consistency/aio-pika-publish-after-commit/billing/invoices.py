import json
import os

import aio_pika
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ["BILLING_DATABASE_URL"])


async def issue_invoice(customer_id: str, amount_cents: int) -> int:
    async with engine.begin() as conn:
        result = await conn.execute(
            text("INSERT INTO invoices (customer_id, amount_cents) VALUES (:c, :a) RETURNING id"),
            {"c": customer_id, "a": amount_cents},
        )
        invoice_id = result.scalar_one()
    connection = await aio_pika.connect_robust(os.environ["AMQP_URL"])
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange("billing", aio_pika.ExchangeType.TOPIC)
        await exchange.publish(  # expect: SP902
            aio_pika.Message(body=json.dumps({"invoice_id": invoice_id}).encode()),
            routing_key="invoice.issued",
        )
    return invoice_id
