import asyncio
import os

import asyncpg


async def expire_unpaid() -> int:
    conn = await asyncpg.connect(os.environ["ORDERS_DATABASE_URL"])
    try:
        result = await conn.execute(
            "UPDATE orders SET status = 'expired' "
            "WHERE status = 'pending' AND placed_at < now() - interval '1 hour'"
        )
        return int(result.split()[-1])
    finally:
        await conn.close()


if __name__ == "__main__":
    asyncio.run(expire_unpaid())
