"""Queues a report row, then pokes this same service's worker endpoint to start early."""

import os
import sqlite3

import requests

REPORTS_URL = os.environ["REPORTS_URL"]


def request_report(report_id: str) -> None:
    conn = sqlite3.connect(os.environ.get("REPORTS_DB", "reports.db"))
    with conn:
        conn.execute("INSERT INTO reports (id, status) VALUES (?, 'queued')", (report_id,))
    requests.post(f"{REPORTS_URL}/internal/kick", timeout=2)
