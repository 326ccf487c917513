"""Where the storefront finds its backends; read once at import."""

import os

ORDERS_URL = os.environ["ORDERS_URL"]
RESTAURANTS_URL = os.environ.get("RESTAURANTS_URL", "http://restaurants:5000")
REQUEST_TIMEOUT = float(os.environ.get("REQUEST_TIMEOUT", "4"))
