"""Public API gateway: login sessions and proxying to the orders service."""

import os
import secrets
import sqlite3

import httpx
from fastapi import Cookie, FastAPI, HTTPException, Response

ORDERS_URL = os.environ["ORDERS_URL"]
app = FastAPI(title="gateway")
sessions = sqlite3.connect("gateway_sessions.db", check_same_thread=False)  # expect: SP801


@app.post("/login")
def login(username: str, response: Response) -> dict:
    token = secrets.token_urlsafe(24)
    with sessions:
        sessions.execute("INSERT INTO sessions (token, username) VALUES (?, ?)", (token, username))
    response.set_cookie("sid", token, httponly=True)
    return {"user": username}


@app.get("/orders")
async def my_orders(sid: str | None = Cookie(default=None)) -> list:
    row = sessions.execute("SELECT username FROM sessions WHERE token = ?", (sid,)).fetchone()
    if row is None:
        raise HTTPException(401)
    async with httpx.AsyncClient(timeout=5.0) as client:
        resp = await client.get(f"{ORDERS_URL}/orders", params={"customer": row[0]})
    resp.raise_for_status()
    return resp.json()
