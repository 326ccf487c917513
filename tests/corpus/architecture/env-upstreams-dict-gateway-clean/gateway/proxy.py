"""Reverse proxy: upstream URLs come from the environment (compose defaults for local runs)."""

import os

import httpx
from fastapi import FastAPI, HTTPException, Request, Response

app = FastAPI()

UPSTREAMS = {
    "orders": os.getenv("ORDERS_URL", "http://orders:8001"),
    "users": os.environ.get("USERS_URL", "http://localhost:8002"),
}
ROUTE_HELP = {"orders": "http://orders:8001/docs", "users": "http://localhost:8002/docs"}


@app.api_route("/api/{service}/{path:path}", methods=["GET", "POST"])
async def proxy(service: str, path: str, request: Request) -> Response:
    base = UPSTREAMS.get(service)
    if base is None:
        raise HTTPException(404, ROUTE_HELP.get(service, "unknown service"))
    async with httpx.AsyncClient(timeout=10.0) as client:
        upstream = await client.request(request.method, f"{UPSTREAMS[service]}/{path}")
    return Response(upstream.content, status_code=upstream.status_code)
