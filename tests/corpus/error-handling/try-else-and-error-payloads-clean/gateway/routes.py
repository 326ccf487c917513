import logging
import os

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse

log = logging.getLogger(__name__)
router = APIRouter()

PROFILE_URL = os.environ["PROFILE_URL"]
ACTIVITY_URL = os.environ["ACTIVITY_URL"]
http = httpx.AsyncClient(timeout=5.0)


@router.get("/users/{user_id}")
async def user(user_id: str):
    try:
        resp = await http.get(f"{PROFILE_URL}/profiles/{user_id}")
        resp.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("profile lookup failed: %s", exc)
        return JSONResponse(status_code=502, content={"error": "profile service unavailable"})
    return resp.json()


@router.get("/users/{user_id}/feed")
async def feed(user_id: str) -> dict:
    page: dict = {"user": user_id, "activity": []}
    try:
        resp = await http.get(f"{ACTIVITY_URL}/users/{user_id}/activity")
    except httpx.HTTPError:
        log.info("activity unavailable for %s", user_id)
    else:
        page["activity"] = resp.json()
    return page


async def refresh(user_id: str) -> dict:
    try:
        resp = await http.post(f"{PROFILE_URL}/profiles/{user_id}/refresh")
        resp.raise_for_status()
        return {"ok": True, "profile": resp.json()}
    except Exception as exc:
        log.error("refresh failed: %s", exc)
        return {"ok": False, "error": str(exc)}
