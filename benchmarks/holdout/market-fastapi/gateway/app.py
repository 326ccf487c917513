"""Public API gateway for the marketplace web and mobile clients."""

import logging
import uuid
from typing import Annotated

import httpx
from fastapi import FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from pydantic_settings import BaseSettings
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

logger = logging.getLogger("gateway")


class Settings(BaseSettings):
    checkout_url: str
    upstream_timeout_s: float = 10.0


settings = Settings()
HTTPXClientInstrumentor().instrument()
client = httpx.AsyncClient(timeout=settings.upstream_timeout_s)
app = FastAPI(title="marketplace-gateway")


@retry(
    stop=stop_after_attempt(3),
    wait=wait_exponential(multiplier=0.3, max=3),
    retry=retry_if_exception_type(httpx.TransportError),
    reraise=True,
)
async def submit_order(payload: dict, idempotency_key: str) -> httpx.Response:
    """Forward an order to checkout; the key lets checkout drop a retried duplicate."""
    return await client.post(
        f"{settings.checkout_url}/orders",
        json=payload,
        headers={"Idempotency-Key": idempotency_key},
    )


@app.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@app.post("/orders")
async def create_order(
    request: Request,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    payload = await request.json()
    key = idempotency_key or str(uuid.uuid4())
    try:
        resp = await submit_order(payload, key)
    except httpx.TransportError as exc:
        logger.error("checkout unreachable: %s", exc)
        raise HTTPException(status_code=503, detail="checkout unavailable") from exc
    return JSONResponse(resp.json(), status_code=resp.status_code)
