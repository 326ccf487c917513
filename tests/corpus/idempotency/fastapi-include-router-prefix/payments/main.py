"""Payments service: routers are mounted under their prefixes here."""

from fastapi import FastAPI

from payments.routers import charges, refunds

app = FastAPI(title="payments")
app.include_router(charges.router, prefix="/charges", tags=["charges"])
app.include_router(refunds.router, prefix="/refunds", tags=["refunds"])


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
