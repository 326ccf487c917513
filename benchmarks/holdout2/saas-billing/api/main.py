"""Public API for tenants' admins: dashboard, subscriptions."""

import asyncio
import uuid
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Header, HTTPException
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from pydantic import BaseModel
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    tenants_base_url: str
    billing_base_url: str
    usage_base_url: str
    api_tokens: dict[str, str] = {}


class SubscriptionRequest(BaseModel):
    plan: str
    seats: int


settings = Settings()
HTTPXClientInstrumentor().instrument()
app = FastAPI(title="api")


def current_tenant(authorization: Annotated[str, Header()]) -> str:
    token = authorization.removeprefix("Bearer ")
    tenant = settings.api_tokens.get(token)
    if tenant is None:
        raise HTTPException(status_code=401, detail="bad token")
    return tenant


Tenant = Annotated[str, Depends(current_tenant)]


@app.get("/v1/dashboard")
async def dashboard(tenant: Tenant) -> dict:
    async with httpx.AsyncClient(timeout=None) as client:
        profile, invoices, usage = await asyncio.gather(
            client.get(f"{settings.tenants_base_url}/tenants/{tenant}"),
            client.get(f"{settings.billing_base_url}/tenants/{tenant}/invoices"),
            client.get(f"{settings.usage_base_url}/usage/{tenant}"),
            return_exceptions=True,
        )
    if isinstance(profile, BaseException):
        raise HTTPException(status_code=503, detail="tenant profile unavailable")
    return {
        "profile": profile.json(),
        "invoices": [] if isinstance(invoices, BaseException) else invoices.json(),
        "usage": None if isinstance(usage, BaseException) else usage.json(),
    }


@app.post("/v1/subscriptions", status_code=201)
async def subscribe(
    body: SubscriptionRequest,
    tenant: Tenant,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> dict:
    async with httpx.AsyncClient(timeout=10.0) as client:
        resp = await client.post(
            f"{settings.billing_base_url}/subscriptions",
            json={"tenant_id": tenant, **body.model_dump()},
            headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())},
        )
    if resp.status_code >= 400:
        raise HTTPException(status_code=resp.status_code, detail=resp.json())
    return resp.json()
