import logging
import os
import time

import requests

log = logging.getLogger(__name__)


class UpstreamMonitor:
    """Tracks whether the upstream is healthy; the gateway sheds load when it is not."""

    def __init__(self) -> None:
        self.upstream_url = os.environ["UPSTREAM_URL"]
        self.healthy = True
        self.last_error: Exception | None = None
        self.checked_at = 0.0

    def check(self) -> None:
        try:
            requests.get(f"{self.upstream_url}/health", timeout=2).raise_for_status()
            self.healthy = True
        except requests.RequestException as exc:
            self.healthy = False
            self.last_error = exc
            log.warning("upstream unhealthy: %s", exc)
        self.checked_at = time.monotonic()
