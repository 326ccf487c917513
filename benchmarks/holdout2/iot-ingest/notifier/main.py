"""Notifier: delivers alerts to each customer's incident webhook."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from fastapi import FastAPI, Request
from pydantic import BaseModel
from pydantic_settings import BaseSettings

logger = logging.getLogger("notifier")


class Settings(BaseSettings):
    webhook_url: str
    webhook_secret: str


class AlertRequest(BaseModel):
    contact: str
    alert: dict


settings = Settings()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout())
    yield
    await app.state.session.close()


app = FastAPI(title="notifier", lifespan=lifespan)


@app.post("/alerts", status_code=202)
async def deliver(body: AlertRequest, request: Request) -> dict[str, str]:
    session: aiohttp.ClientSession = request.app.state.session
    payload = {"to": body.contact, "severity": "high", **body.alert}
    try:
        async with session.post(
            settings.webhook_url, json=payload, headers={"X-Signature": settings.webhook_secret}
        ) as resp:
            resp.raise_for_status()
    except aiohttp.ClientError as exc:
        logger.error("webhook delivery for %s failed: %s", body.contact, exc)
    return {"status": "delivered"}
