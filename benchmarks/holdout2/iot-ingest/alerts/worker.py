"""Alert worker: reads breaches from the alert stream and pages the device's owner."""

import asyncio
import logging
import os
import socket

import backoff
import httpx
import redis.asyncio as aioredis
from aiobreaker import CircuitBreaker
from opentelemetry.propagate import inject
from tenacity import retry, retry_if_exception_type, wait_random_exponential

logger = logging.getLogger("alerts")

DEVICES_URL = os.environ["DEVICES_URL"]
NOTIFIER_URL = os.environ["NOTIFIER_URL"]
STREAM, GROUP = "alerts", "alert-workers"
CONSUMER = socket.gethostname()

stream = aioredis.from_url(os.environ["ALERTS_REDIS_URL"], decode_responses=True)
http = httpx.AsyncClient(timeout=5.0, transport=httpx.AsyncHTTPTransport(retries=2))
notifier_breaker = CircuitBreaker(fail_max=5)


@retry(
    wait=wait_random_exponential(multiplier=0.5, max=10),
    retry=retry_if_exception_type(httpx.TransportError),
)
async def owner_of(device_id: str) -> dict:
    resp = await http.get(f"{DEVICES_URL}/owners", params={"device_id": device_id})
    resp.raise_for_status()
    return resp.json()


@backoff.on_exception(backoff.expo, httpx.HTTPError, max_tries=5)
@notifier_breaker
async def page(owner: dict, alert: dict) -> None:
    headers: dict[str, str] = {}
    inject(headers)
    resp = await http.post(
        f"{NOTIFIER_URL}/alerts",
        json={"contact": owner["contact"], "alert": alert},
        headers=headers,
    )
    resp.raise_for_status()


async def handle_alert(message_id: str, alert: dict) -> None:
    owner = await owner_of(alert["device_id"])
    await page(owner, alert)
    await stream.hincrby("alerts:paged", alert["device_id"], 1)
    logger.info("paged %s for %s (%s)", owner["contact"], alert["device_id"], message_id)


async def run() -> None:
    try:
        await stream.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except aioredis.ResponseError:
        logger.debug("consumer group %s already exists", GROUP)
    while True:
        batches = await stream.xreadgroup(GROUP, CONSUMER, {STREAM: ">"}, count=20, block=5000)
        for _, messages in batches:
            for message_id, alert in messages:
                await handle_alert(message_id, alert)
                await stream.xack(STREAM, GROUP, message_id)


if __name__ == "__main__":
    asyncio.run(run())
