"""Hotels on Starlette; the handler looks up the request's key before writing."""

import aiosqlite
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DB = "hotels.db"


async def reserve(request: Request) -> JSONResponse:
    key = request.headers.get("idempotency-key")
    if key is None:
        return JSONResponse({"error": "idempotency-key required"}, status_code=400)
    body = await request.json()
    async with aiosqlite.connect(DB) as db:
        cur = await db.execute("SELECT id FROM reservations WHERE idem_key = ?", (key,))
        row = await cur.fetchone()
        if row:
            return JSONResponse({"id": row[0]})
        cur = await db.execute(
            "INSERT INTO reservations (idem_key, hotel_id, guest) VALUES (?, ?, ?)",
            (key, body["hotel_id"], body["guest"]),
        )
        await db.commit()
        return JSONResponse({"id": cur.lastrowid}, status_code=201)


app = Starlette(routes=[Route("/reservations", reserve, methods=["POST"])])
