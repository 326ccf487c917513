"""Startup checks for the orders service.

Orders never talks to shipping directly (SHIPPING_URL is not needed here); shipping
listens to order events. It never reads PAYMENTS_DB_DSN or "payments-db" either.
"""

import logging
import os

log = logging.getLogger("orders.startup")

REQUIRED_ENV = ("ORDERS_SECRET_KEY", "LOG_LEVEL")
FORBIDDEN_ENV = {"SHIPPING_URL": "use events instead", "PAYMENTS_DB_DSN": "not ours"}
DB_LABELS = {"db": "payments-db", "dsn_env": "PAYMENTS_DB_DSN"}


def check_env() -> list[str]:
    missing = [name for name in REQUIRED_ENV if name not in os.environ]
    for name, why in FORBIDDEN_ENV.items():
        if name in os.environ:
            log.warning("%s is set but unused by orders: %s", name, why)
    return missing
