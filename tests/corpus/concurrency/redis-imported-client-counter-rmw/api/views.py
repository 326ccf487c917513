"""Article view counters kept in Redis."""

from fastapi import APIRouter

from api.cache import redis_client

router = APIRouter()


@router.post("/articles/{slug}/view")
def view(slug: str) -> dict:
    key = f"views:{slug}"
    views = int(redis_client.get(key) or 0)
    redis_client.set(key, views + 1)  # expect: SP702
    return {"slug": slug, "views": views + 1}


@router.get("/articles/{slug}/views")
def count(slug: str) -> dict:
    return {"slug": slug, "views": int(redis_client.get(f"views:{slug}") or 0)}
