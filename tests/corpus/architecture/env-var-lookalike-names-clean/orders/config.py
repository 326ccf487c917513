"""Settings whose names resemble other services' and datastores' variables, but are not them."""

import os

PAYMENTS_URL = os.environ["PAYMENTS_URL"]
PAYMENTS_TIMEOUT_S = float(os.getenv("PAYMENTS_TIMEOUT_S", "5"))
SHIPPING_URL_TEMPLATE = os.getenv("SHIPPING_URL_TEMPLATE", "https://track.example.com/{id}")
SHIPPING_CARRIER = os.getenv("SHIPPING_CARRIER", "ups")
PAYMENTS_DB_DSN_SECRET_NAME = os.getenv("PAYMENTS_DB_DSN_SECRET_NAME", "orders/dsn")
ORDERS_DATABASE_URL = os.environ["ORDERS_DATABASE_URL"]


def tracking_link(shipment_id: str) -> str:
    return SHIPPING_URL_TEMPLATE.format(id=shipment_id)
