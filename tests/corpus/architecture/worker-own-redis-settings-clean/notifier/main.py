import asyncio

import redis.asyncio as redis
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    notify_queue_url: str = "redis://localhost:6379/3"
    batch_size: int = 50


settings = Settings()


async def drain() -> None:
    queue = redis.from_url(settings.notify_queue_url)
    while True:
        item = await queue.blpop(["notify:pending"], timeout=5)
        if item:
            print("notify", item[1])
        await asyncio.sleep(0)
