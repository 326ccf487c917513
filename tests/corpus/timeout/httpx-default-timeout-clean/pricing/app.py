import os

import httpx
from fastapi import FastAPI, HTTPException

app = FastAPI()

CATALOG_URL = os.environ["CATALOG_URL"]
DISCOUNTS_URL = os.environ["DISCOUNTS_URL"]

# httpx applies a 5 second timeout unless told otherwise.
catalog = httpx.Client(base_url=CATALOG_URL)


@app.get("/quote/{sku}")
def quote(sku: str, coupon: str | None = None) -> dict:
    product = catalog.get(f"/products/{sku}")
    if product.status_code == 404:
        raise HTTPException(status_code=404, detail="unknown sku")
    price = product.json()["price_cents"]
    if coupon:
        discount = httpx.post(f"{DISCOUNTS_URL}/validate", json={"coupon": coupon, "sku": sku})
        if discount.is_success:
            price -= discount.json()["amount_cents"]
    return {"sku": sku, "price_cents": max(price, 0)}


@app.get("/catalog/sync")
def sync() -> dict:
    with httpx.stream("GET", f"{CATALOG_URL}/products/export") as resp:
        count = sum(1 for _ in resp.iter_lines())
    return {"products": count}
