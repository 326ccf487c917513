"""How every service here turns a refusal into an HTTP answer, and guards its unsafe
endpoints with idempotency keys."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from common.inventory import Refused
from stormproof.kit import IdempotencyMiddleware, SqliteIdempotencyStore


def guard(app: FastAPI, db: str) -> None:
    """Every POST (and PATCH) must carry an ``Idempotency-Key`` (400 without one); a retry
    gets the first answer replayed, stored in the service's own database. The lock timeout
    is longer than the slowest handler, so that a retry never runs one twice. DELETEs are
    idempotent by themselves (a cancellation leaves a tombstone) and need no key."""
    app.add_middleware(
        IdempotencyMiddleware, store=SqliteIdempotencyStore(db), required=True, lock_timeout=30.0
    )

    @app.exception_handler(Refused)
    async def refused(request: Request, error: Refused) -> JSONResponse:
        return JSONResponse({"detail": error.detail}, status_code=error.status)
