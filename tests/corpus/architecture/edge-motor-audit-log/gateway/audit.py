"""Audit every API call into MongoDB."""

import time

from motor.motor_asyncio import AsyncIOMotorClient
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request

_client = AsyncIOMotorClient("mongodb://audit-mongo:27017", serverSelectionTimeoutMS=2000)  # expect: SP801
audit_log = _client["audit"]["requests"]


class AuditMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        started = time.monotonic()
        response = await call_next(request)
        await audit_log.insert_one(
            {
                "path": request.url.path,
                "method": request.method,
                "status": response.status_code,
                "ms": round((time.monotonic() - started) * 1000, 1),
            }
        )
        return response
