"""Read-only access to restaurants and their menus."""

from web.config import RESTAURANTS_URL
from web.services.http import get_json


class MenuClient:
    def __init__(self, base_url: str = RESTAURANTS_URL) -> None:
        self.base_url = base_url.rstrip("/")

    def restaurants_near(self, postcode: str) -> list[dict]:
        return get_json(f"{self.base_url}/restaurants", params={"postcode": postcode})["items"]

    def menu(self, restaurant_id: str) -> dict:
        return get_json(f"{self.base_url}/restaurants/{restaurant_id}/menu")
