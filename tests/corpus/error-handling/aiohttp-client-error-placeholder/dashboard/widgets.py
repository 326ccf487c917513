import logging
import os

import aiohttp

log = logging.getLogger(__name__)

METRICS_URL = os.environ["METRICS_URL"]
ALERTS_URL = os.environ["ALERTS_URL"]


async def build_dashboard(team: str) -> dict:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        try:
            async with session.get(f"{METRICS_URL}/teams/{team}/slo") as resp:  # expect: SP001
                slo = await resp.json()
        except aiohttp.ClientError:
            slo = {"availability": 100.0, "latency_p99_ms": 0}

        try:
            async with session.get(f"{ALERTS_URL}/teams/{team}/open") as resp:
                alerts = await resp.json()
        except aiohttp.ClientError as exc:
            log.warning("alerts unavailable: %s", exc)
            return {"team": team, "slo": slo, "alerts": None, "degraded": True}

    return {"team": team, "slo": slo, "alerts": alerts, "degraded": False}
