"""Ticket worker: issues tickets for confirmed bookings from the booking-events queue.

Messages are delivered at least once; the processed_messages table drops repeats.
"""

import asyncio
import json
import logging
import os

import aio_pika
import requests
from aio_pika.abc import AbstractIncomingMessage
from circuitbreaker import circuit
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

log = logging.getLogger("ticket-worker")

BOOKINGS_URL = os.environ["BOOKINGS_URL"]
HTTP_TIMEOUT = (2, 5)

HTTPXClientInstrumentor().instrument()
engine = create_async_engine(os.environ["TICKETS_DB_URL"])


@circuit(failure_threshold=5, recovery_timeout=30)
def fetch_booking(booking_id: str) -> dict:
    resp = requests.get(f"{BOOKINGS_URL}/bookings/{booking_id}", timeout=HTTP_TIMEOUT)
    resp.raise_for_status()
    return resp.json()


async def handle(message: AbstractIncomingMessage) -> None:
    async with message.process(requeue=True):
        event = json.loads(message.body)
        async with engine.begin() as conn:
            first_time = await conn.execute(
                text(
                    "INSERT INTO processed_messages (message_id) VALUES (:id) "
                    "ON CONFLICT DO NOTHING"
                ),
                {"id": message.message_id},
            )
            if first_time.rowcount == 0:
                log.info("message %s already handled", message.message_id)
                return
            booking = await asyncio.to_thread(fetch_booking, event["booking_id"])
            await conn.execute(
                text("INSERT INTO tickets (booking_id, customer_id) VALUES (:booking, :customer)"),
                {"booking": booking["id"], "customer": booking["customer_id"]},
            )


async def main() -> None:
    connection = await aio_pika.connect_robust(os.environ["AMQP_URL"])
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=20)
        queue = await channel.declare_queue("booking-events", durable=True)
        await queue.consume(handle)
        await asyncio.Future()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
