import logging
import os

import requests

log = logging.getLogger(__name__)

CRM_URL = os.environ["CRM_URL"]
session = requests.Session()


class ExportFailed(RuntimeError):
    pass


def all_contacts() -> list[dict]:
    contacts: list[dict] = []
    url: str | None = f"{CRM_URL}/contacts?limit=200"
    while url:
        try:
            resp = session.get(url, timeout=10)
            resp.raise_for_status()
        except requests.RequestException as exc:
            raise ExportFailed(f"contact export stopped at {url}") from exc
        page = resp.json()
        contacts.extend(page["items"])
        url = page.get("next")
    log.info("exported %d contacts", len(contacts))
    return contacts


def drain(queue: list[dict]) -> None:
    while queue:
        item = queue.pop()
        try:
            session.post(f"{CRM_URL}/activities", json=item, timeout=10).raise_for_status()
        except requests.RequestException:
            log.exception("activity %s dropped", item.get("id"))
