import httpx
from fastapi import APIRouter, HTTPException

router = APIRouter()
users = httpx.AsyncClient(base_url="http://127.0.0.1:8001", timeout=httpx.Timeout(4.0))  # expect: SP804


@router.get("/profile/{user_id}")
async def profile(user_id: str) -> dict:
    resp = await users.get(f"/users/{user_id}")
    if resp.status_code == 404:
        raise HTTPException(404, "no such user")
    return resp.json()
