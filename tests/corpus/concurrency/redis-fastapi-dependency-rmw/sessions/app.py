import json
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException
from redis.asyncio import Redis

app = FastAPI()


async def get_redis() -> Redis:
    return app.state.redis


RedisDep = Annotated[Redis, Depends(get_redis)]


@app.post("/sessions/{sid}/views")
async def record_view(sid: str, page: str, r: Redis = Depends(get_redis)) -> dict:
    data = await r.get(f"session:{sid}")
    if data is None:
        raise HTTPException(404, "no session")
    session = json.loads(data)
    session["views"] = session.get("views", 0) + 1
    session["last_page"] = page
    await r.set(f"session:{sid}", json.dumps(session), keepttl=True)  # expect: SP702
    return session


@app.delete("/sessions/{sid}")
async def logout(sid: str, r: Redis = Depends(get_redis)) -> dict:
    existed = await r.get(f"session:{sid}")
    await r.delete(f"session:{sid}")
    return {"logged_out": existed is not None}
