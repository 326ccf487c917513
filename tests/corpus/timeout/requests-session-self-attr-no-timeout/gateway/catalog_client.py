import os
from typing import Any

import requests


class CatalogClient:
    """Thin client for the catalog service."""

    def __init__(self, base_url: str | None = None, token: str | None = None) -> None:
        self.base_url = (base_url or os.environ["CATALOG_URL"]).rstrip("/")
        self.session = requests.Session()
        # requests ignores this attribute; every call below still waits forever.
        self.session.timeout = 5
        self.session.headers.update({"Authorization": f"Bearer {token or ''}"})

    def get_product(self, sku: str) -> dict[str, Any]:
        resp = self.session.get(f"{self.base_url}/products/{sku}")  # expect: SP101
        resp.raise_for_status()
        return resp.json()

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        resp = self.session.get(  # expect: SP101
            f"{self.base_url}/products",
            params={"q": query, "limit": limit},
        )
        resp.raise_for_status()
        return resp.json()["items"]

    def update_price(self, sku: str, price_cents: int) -> None:
        resp = self.session.patch(
            f"{self.base_url}/products/{sku}",
            json={"price_cents": price_cents},
            timeout=self.session.timeout,
        )
        resp.raise_for_status()

    def close(self) -> None:
        self.session.close()
