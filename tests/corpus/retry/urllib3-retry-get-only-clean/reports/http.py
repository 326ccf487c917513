import os

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

REPORTS_URL = os.environ["REPORTS_URL"]

session = requests.Session()
session.mount(
    "https://",
    HTTPAdapter(
        max_retries=Retry(
            total=3,
            backoff_factor=0.5,
            backoff_jitter=0.3,
            allowed_methods=frozenset({"GET", "HEAD"}),
            status_forcelist=[503],
        )
    ),
)


def generate(report: str, params: dict) -> str:
    resp = session.post(f"{REPORTS_URL}/reports/{report}", json=params, timeout=30)
    resp.raise_for_status()
    return resp.json()["report_id"]


def download(report_id: str) -> bytes:
    return session.get(f"{REPORTS_URL}/reports/{report_id}/file", timeout=30).content


def delete(report_id: str) -> None:
    session.delete(f"{REPORTS_URL}/reports/{report_id}", timeout=30).raise_for_status()
