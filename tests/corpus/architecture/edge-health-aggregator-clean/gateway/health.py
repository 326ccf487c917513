"""Aggregated health: the gateway asks each service, which checks its own database."""

import asyncio
import os

import httpx
from fastapi import APIRouter

router = APIRouter()
DOWNSTREAM = {
    "orders": os.environ["ORDERS_URL"],
    "payments": os.environ["PAYMENTS_URL"],
}


async def _probe(client: httpx.AsyncClient, name: str, base: str) -> tuple[str, dict]:
    try:
        resp = await client.get(f"{base}/health")
        return name, {"ok": resp.status_code == 200, "db": resp.json().get("db", "unknown")}
    except httpx.HTTPError as exc:
        return name, {"ok": False, "error": type(exc).__name__}


@router.get("/health")
async def health() -> dict:
    async with httpx.AsyncClient(timeout=1.5) as client:
        results = await asyncio.gather(*(_probe(client, n, b) for n, b in DOWNSTREAM.items()))
    return {"gateway": "ok", "services": dict(results)}
