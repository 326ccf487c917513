"""HTTP clients for the notifier worker."""

import os
from dataclasses import dataclass

import requests as rq

TEMPLATES_URL = os.environ.get("TEMPLATES_URL", "http://templates:8080")
MAILER_URL = os.environ.get("MAILER_URL", "http://mailer:8025")
DEFAULT_TIMEOUT = 4.0


@dataclass
class Template:
    name: str
    subject: str
    body: str


def load_template(name: str) -> Template:
    resp = rq.get(f"{TEMPLATES_URL}/templates/{name}")  # expect: SP101
    resp.raise_for_status()
    data = resp.json()
    return Template(name=name, subject=data["subject"], body=data["body"])


def send_email(to: str, template: Template, context: dict[str, str]) -> str:
    resp = rq.put(
        f"{MAILER_URL}/outbox/{to}",
        json={"subject": template.subject, "body": template.body.format(**context)},
        timeout=DEFAULT_TIMEOUT,
    )
    resp.raise_for_status()
    return resp.json()["message_id"]


def unsubscribe(address: str) -> None:
    rq.delete(f"{MAILER_URL}/subscriptions/{address}")  # expect: SP101
