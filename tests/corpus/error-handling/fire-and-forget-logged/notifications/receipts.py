import logging
import os

import requests

logger = logging.getLogger(__name__)

MAILER_URL = os.environ["MAILER_URL"]
session = requests.Session()


def send_receipt(order_id: str, email: str, total_cents: int) -> None:
    try:
        resp = session.post(  # expect: SP001
            f"{MAILER_URL}/messages",
            json={"to": email, "template": "receipt", "vars": {"order": order_id, "total": total_cents}},
            timeout=5,
        )
        resp.raise_for_status()
    except requests.RequestException as exc:
        logger.warning("receipt for %s not sent: %s", order_id, exc)
