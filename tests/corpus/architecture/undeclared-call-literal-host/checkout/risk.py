import logging

import requests

log = logging.getLogger(__name__)


def risk_score(order: dict) -> float:
    try:
        resp = requests.post("http://fraud:8000/score", json=order, timeout=2)  # expect: SP802, SP804
        resp.raise_for_status()
        return float(resp.json()["score"])
    except requests.RequestException:
        log.warning("fraud service unavailable, scoring order %s as risky", order["id"])
        return 1.0
