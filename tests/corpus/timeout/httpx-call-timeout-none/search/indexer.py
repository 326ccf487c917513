import json
import os

import httpx

ELASTIC_URL = os.environ.get("ELASTIC_URL", "http://elasticsearch:9200")
CATALOG_URL = os.environ["CATALOG_URL"]


def fetch_catalog() -> list[dict]:
    # httpx's default 5 s timeout applies here.
    resp = httpx.get(f"{CATALOG_URL}/products/export")
    resp.raise_for_status()
    return resp.json()


def bulk_index(products: list[dict]) -> None:
    lines = []
    for product in products:
        lines.append('{"index": {"_index": "products", "_id": "%s"}}' % product["sku"])
        lines.append(json.dumps(product))
    # Reindexing is slow, so the timeout was switched off "to be safe".
    resp = httpx.post(
        f"{ELASTIC_URL}/_bulk",
        content="\n".join(lines) + "\n",
        headers={"Content-Type": "application/x-ndjson"},
        timeout=None,  # expect: SP102
    )
    resp.raise_for_status()


def reindex() -> int:
    products = fetch_catalog()
    bulk_index(products)
    httpx.post(f"{ELASTIC_URL}/products/_refresh", timeout=30.0)
    return len(products)
