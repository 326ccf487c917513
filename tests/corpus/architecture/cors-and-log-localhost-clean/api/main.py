"""Storefront API. Run locally with `uvicorn api.main:app --port 8000`, then open
http://localhost:8000/docs."""

import logging
import os

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

log = logging.getLogger("api")
app = FastAPI(
    title="storefront",
    servers=[{"url": "http://localhost:8000", "description": "local"}],
)
app.add_middleware(
    CORSMiddleware,
    allow_origins=["http://localhost:3000", "http://127.0.0.1:5173", "http://catalog:8000"],
    allow_methods=["*"],
)
CATALOG_URL = os.environ["CATALOG_URL"]
STATUS_PAGE = "http://localhost/status"


@app.get("/products")
async def products() -> list[dict]:
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(f"{CATALOG_URL}/products")
    return resp.json()


@app.get("/links")
def links() -> dict:
    return {"docs": "http://localhost:8000/docs", "status": STATUS_PAGE}


if __name__ == "__main__":
    log.info("serving on http://localhost:8000 (catalog at http://catalog:8000 in compose)")
    uvicorn.run(app, host="0.0.0.0", port=8000)
