import os

import aiohttp
import backoff

EVENTS_URL = os.environ["EVENTS_URL"]
QUEUE_URL = os.environ["QUEUE_URL"]


@backoff.on_exception(backoff.expo, aiohttp.ClientError)  # expect: SP201
async def fetch_batch(session: aiohttp.ClientSession, cursor: str) -> dict:
    async with session.get(f"{EVENTS_URL}/events", params={"cursor": cursor}) as resp:
        resp.raise_for_status()
        return await resp.json()


@backoff.on_predicate(backoff.constant, lambda result: result is None, interval=2)  # expect: SP201, SP202
async def next_job(session: aiohttp.ClientSession) -> dict | None:
    async with session.get(f"{QUEUE_URL}/jobs/next") as resp:
        if resp.status == 204:
            return None
        return await resp.json()


@backoff.on_exception(backoff.expo, aiohttp.ClientError, max_time=60)
async def ack(session: aiohttp.ClientSession, job_id: str) -> None:
    async with session.get(f"{QUEUE_URL}/jobs/{job_id}/ack") as resp:
        resp.raise_for_status()
