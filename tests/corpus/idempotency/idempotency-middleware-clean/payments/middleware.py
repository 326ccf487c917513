"""Replays the stored response for a repeated Idempotency-Key on unsafe requests."""

import json

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

_responses: dict[str, tuple[int, bytes]] = {}


class IdempotencyMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        key = request.headers.get("Idempotency-Key")
        if request.method not in {"POST", "PUT", "PATCH", "DELETE"} or key is None:
            return await call_next(request)
        if key in _responses:
            status, body = _responses[key]
            return Response(body, status_code=status, media_type="application/json")
        response = await call_next(request)
        body = b"".join([chunk async for chunk in response.body_iterator])
        _responses[key] = (response.status_code, body)
        return Response(body, status_code=response.status_code, media_type="application/json")


def encode(data: dict) -> bytes:
    return json.dumps(data).encode()
