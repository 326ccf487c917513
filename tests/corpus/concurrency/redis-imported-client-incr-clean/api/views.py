"""Article view counters kept in Redis, incremented atomically."""

from fastapi import APIRouter

from api.cache import redis_client

router = APIRouter()


@router.post("/articles/{slug}/view")
def view(slug: str) -> dict:
    views = redis_client.incr(f"views:{slug}")
    return {"slug": slug, "views": views}


@router.post("/articles/{slug}/reset")
def reset(slug: str) -> dict:
    key = f"views:{slug}"
    before = redis_client.get(key)
    redis_client.set(key, 0)
    redis_client.set(f"{key}:last_reset_from", before or 0)
    return {"slug": slug, "was": int(before or 0)}
