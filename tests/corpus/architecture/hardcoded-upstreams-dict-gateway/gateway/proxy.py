"""Reverse proxy: routes /api/<service>/<path> to the matching upstream."""

import httpx
from fastapi import FastAPI, HTTPException, Request, Response

app = FastAPI()

UPSTREAMS = {
    "orders": "http://orders:8001",  # expect: SP804
    "users": "http://localhost:8002",  # expect: SP804
    "docs": "https://docs.example.com",
}


@app.api_route("/api/{service}/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
async def proxy(service: str, path: str, request: Request) -> Response:
    if service not in UPSTREAMS:
        raise HTTPException(404, f"unknown service {service}")
    async with httpx.AsyncClient(timeout=10.0) as client:
        upstream = await client.request(
            request.method,
            f"{UPSTREAMS[service]}/{path}",
            content=await request.body(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
        )
    return Response(upstream.content, status_code=upstream.status_code)
