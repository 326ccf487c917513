"""Sliding sessions: reading a session pushes its expiry forward; nothing is rewritten."""

import json

from fastapi import Cookie, FastAPI, HTTPException
from redis import Redis

app = FastAPI()
sessions = Redis(host="sessions", port=6379, decode_responses=True)
IDLE_TIMEOUT = 1800


@app.get("/me")
def me(session_id: str | None = Cookie(default=None)) -> dict:
    if session_id is None:
        raise HTTPException(401)
    raw = sessions.getex(f"session:{session_id}", ex=IDLE_TIMEOUT)
    if raw is None:
        raise HTTPException(401)
    return json.loads(raw)


@app.post("/heartbeat")
def heartbeat(session_id: str | None = Cookie(default=None)) -> dict:
    key = f"session:{session_id}"
    if sessions.get(key) is None:
        raise HTTPException(401)
    sessions.expire(key, IDLE_TIMEOUT)
    return {"ok": True}
