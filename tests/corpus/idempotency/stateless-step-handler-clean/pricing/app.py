"""Pricing: a quote is a signed, self-contained token; nothing is stored."""

import hashlib
import hmac
import json
import os
import time

from fastapi import FastAPI
from pydantic import BaseModel

SECRET = os.environ.get("QUOTE_SECRET", "dev").encode()
app = FastAPI()


class QuoteIn(BaseModel):
    items: list[dict]


@app.post("/quotes")
def quote(body: QuoteIn) -> dict:
    total = sum(int(i["price_cents"]) * int(i.get("qty", 1)) for i in body.items)
    payload = json.dumps({"total": total, "exp": int(time.time()) + 900}, sort_keys=True)
    signature = hmac.new(SECRET, payload.encode(), hashlib.sha256).hexdigest()
    return {"id": signature[:16], "quote": payload, "signature": signature}


@app.post("/quotes/{quote_id}/void")
def void_quote(quote_id: str) -> dict:
    return {"id": quote_id, "void": True}
