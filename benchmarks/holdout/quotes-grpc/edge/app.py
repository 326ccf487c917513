"""HTTP edge for the quoting API: JSON in front, gRPC to the quote service behind."""

import logging
import os

import grpc
import requests
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field
from quotes.gen import quotes_pb2, quotes_pb2_grpc
from sqlalchemy import create_engine, text

log = logging.getLogger("edge")

QUOTE_DEADLINE_S = 2.5

channel = grpc.insecure_channel(os.environ["QUOTES_GRPC_TARGET"])
quotes_stub = quotes_pb2_grpc.QuoteServiceStub(channel)
# Catalog pages only need list prices, read-only, straight from the pricing replica.
catalog_db = create_engine(os.environ["PRICING_DATABASE_URL"], pool_size=2)

app = FastAPI(title="quotes-edge")


class QuoteIn(BaseModel):
    customer_id: str
    sku: str
    quantity: int = Field(gt=0)
    currency: str = Field(default="EUR", min_length=3, max_length=3)


def quote_json(quote: quotes_pb2.Quote) -> dict:
    return {
        "id": quote.id,
        "sku": quote.sku,
        "quantity": quote.quantity,
        "total": quote.total_minor / 100,
        "currency": quote.currency,
    }


@app.post("/quotes", status_code=201)
def create_quote(body: QuoteIn) -> dict:
    try:
        quote = quotes_stub.CreateQuote(
            quotes_pb2.CreateQuoteRequest(**body.model_dump()), timeout=QUOTE_DEADLINE_S
        )
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            raise HTTPException(status_code=422, detail=exc.details()) from exc
        raise HTTPException(status_code=503, detail="quoting unavailable") from exc
    return quote_json(quote)


@app.get("/quotes/{quote_id}")
def get_quote(quote_id: str) -> dict:
    try:
        quote = quotes_stub.GetQuote(quotes_pb2.GetQuoteRequest(id=quote_id))
    except grpc.RpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            raise HTTPException(status_code=404, detail="quote not found") from exc
        raise
    return quote_json(quote)


@app.get("/catalog/{sku}")
def catalog_price(sku: str) -> dict:
    with catalog_db.connect() as conn:
        row = conn.execute(
            text("SELECT sku, unit_minor FROM prices WHERE sku = :sku"), {"sku": sku}
        ).first()
    if row is None:
        raise HTTPException(status_code=404, detail="unknown sku")
    return {"sku": row.sku, "price": row.unit_minor / 100}


@app.get("/rates/{currency}")
def exchange_rate(currency: str) -> dict:
    resp = requests.get(f"{os.environ['FX_URL']}/rates/{currency}", timeout=3)
    resp.raise_for_status()
    return resp.json()
