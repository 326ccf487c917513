"""Device-facing edge: checks the device is registered, forwards its readings."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from purgatory import AsyncCircuitBreakerFactory
from pydantic import BaseModel
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    devices_url: str
    collector_url: str


class Reading(BaseModel):
    reading_id: str
    metric: str
    value: float
    taken_at: str


class ReadingBatch(BaseModel):
    readings: list[Reading]


settings = Settings()
breakers = AsyncCircuitBreakerFactory(default_threshold=5, default_ttl=30)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.http = httpx.AsyncClient(timeout=httpx.Timeout(3.0))
    HTTPXClientInstrumentor().instrument_client(app.state.http)
    yield
    await app.state.http.aclose()


app = FastAPI(title="gateway", lifespan=lifespan)


def http_client(request: Request) -> httpx.AsyncClient:
    return request.app.state.http


Http = Annotated[httpx.AsyncClient, Depends(http_client)]


@app.post("/v1/devices/{device_id}/readings", status_code=202)
async def submit(device_id: str, batch: ReadingBatch, client: Http) -> dict[str, int]:
    async with await breakers.get_breaker("devices"):
        device = await client.get(f"{settings.devices_url}/devices/{device_id}")
    if device.status_code == 404:
        raise HTTPException(status_code=403, detail="unknown device")
    device.raise_for_status()
    accepted = await client.post(
        f"{settings.collector_url}/readings",
        json={"device_id": device_id, "readings": [r.model_dump() for r in batch.readings]},
    )
    accepted.raise_for_status()
    return {"accepted": len(batch.readings)}


@app.get("/v1/devices/{device_id}/overview")
async def overview(device_id: str, client: Http) -> dict:
    async with await breakers.get_breaker("devices"):
        profile, firmware = await asyncio.gather(
            client.get(f"{settings.devices_url}/devices/{device_id}"),
            client.get(f"{settings.devices_url}/devices/{device_id}/firmware"),
        )
    profile.raise_for_status()
    firmware.raise_for_status()
    return {**profile.json(), "firmware": firmware.json()}
