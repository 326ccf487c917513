import logging
import os
from dataclasses import dataclass, field

import httpx

log = logging.getLogger(__name__)

MIRROR_URL = os.environ["MIRROR_URL"]


@dataclass
class SyncReport:
    synced: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def mirror(doc_ids: list[str]) -> SyncReport:
    report = SyncReport()
    with httpx.Client(base_url=MIRROR_URL, timeout=10.0) as client:
        for doc_id in doc_ids:
            try:
                client.post(f"/documents/{doc_id}/sync").raise_for_status()
                report.synced.append(doc_id)
            except httpx.HTTPError as exc:
                report.errors[doc_id] = str(exc)
    if report.errors:
        log.warning("%d documents failed to sync", len(report.errors))
    return report
