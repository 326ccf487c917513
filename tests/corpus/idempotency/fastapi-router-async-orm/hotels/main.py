"""Hotels service entry point."""

from fastapi import FastAPI

from hotels.routes import router

app = FastAPI(title="hotels")
app.include_router(router)


@app.get("/health")
async def health() -> dict:
    return {"ok": True}
