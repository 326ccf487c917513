"""Alert fan-out to third-party webhooks (public hosts, not services of this system)."""

import os

import requests

SLACK_WEBHOOK = os.environ.get("SLACK_WEBHOOK_URL", "")
PAGERDUTY_EVENTS = "https://events.pagerduty.com/v2/enqueue"


def page(summary: str, severity: str = "critical") -> None:
    requests.post(
        PAGERDUTY_EVENTS,
        json={
            "routing_key": os.environ["PAGERDUTY_ROUTING_KEY"],
            "event_action": "trigger",
            "payload": {"summary": summary, "severity": severity, "source": "alerts"},
        },
        timeout=5,
    ).raise_for_status()


def chat(text: str) -> None:
    if SLACK_WEBHOOK:
        requests.post(SLACK_WEBHOOK, json={"text": text}, timeout=5)
    requests.post("https://status.example.com/api/incidents", json={"title": text}, timeout=5)
