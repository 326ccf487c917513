import json
import os
import uuid

import asyncpg
import redis.asyncio as redis

STREAM = "payments.events"


class PaymentService:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.events = redis.from_url(os.environ["EVENTS_REDIS_URL"])

    async def capture(self, order_id: str, amount_cents: int) -> str:
        payment_id = str(uuid.uuid4())
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO payments (id, order_id, amount_cents, status) VALUES ($1, $2, $3, 'captured')",
                payment_id,
                order_id,
                amount_cents,
            )
        await self.events.xadd(  # expect: SP902
            STREAM, {"type": "payment.captured", "data": json.dumps({"id": payment_id, "order": order_id})}
        )
        return payment_id

    async def get(self, payment_id: str) -> dict | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT * FROM payments WHERE id = $1", payment_id)
        return dict(row) if row else None
