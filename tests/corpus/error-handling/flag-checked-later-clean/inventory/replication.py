import logging
import os

import httpx

log = logging.getLogger(__name__)

REPLICA_URLS = [u for u in os.environ.get("REPLICA_URLS", "").split(",") if u]


class ReplicationError(RuntimeError):
    pass


def replicate(sku: str, quantity: int) -> None:
    ok = True
    try:
        httpx.put(f"{REPLICA_URLS[0]}/stock/{sku}", json={"quantity": quantity}, timeout=5).raise_for_status()
    except httpx.HTTPError:
        log.exception("primary replica write failed")
        ok = False
    if not ok:
        raise ReplicationError(sku)


def replicate_all(sku: str, quantity: int) -> list[str]:
    failures: list[str] = []
    for url in REPLICA_URLS:
        try:
            httpx.put(f"{url}/stock/{sku}", json={"quantity": quantity}, timeout=5).raise_for_status()
        except Exception as exc:
            failures.append(f"{url}: {exc}")
    if failures:
        raise ReplicationError("; ".join(failures))
    return REPLICA_URLS
