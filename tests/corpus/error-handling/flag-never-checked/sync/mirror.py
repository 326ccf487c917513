import logging
import os

import httpx

log = logging.getLogger(__name__)

PRIMARY_URL = os.environ["PRIMARY_URL"]
MIRROR_URL = os.environ["MIRROR_URL"]


def mirror_document(doc_id: str) -> dict:
    document = httpx.get(f"{PRIMARY_URL}/documents/{doc_id}", timeout=10).json()
    mirrored = True
    try:
        httpx.put(f"{MIRROR_URL}/documents/{doc_id}", json=document, timeout=10).raise_for_status()  # expect: SP001
    except Exception:
        mirrored = False
        log.error("mirror write failed for %s", doc_id)
    return {"id": doc_id, "version": document["version"]}
