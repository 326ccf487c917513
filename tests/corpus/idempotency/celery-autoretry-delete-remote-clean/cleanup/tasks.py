"""Autoretried cleanup task: DELETE is idempotent, a retry deletes nothing more."""

import os

import httpx
from celery import shared_task

FILES_URL = os.environ["FILES_URL"]


@shared_task(autoretry_for=(httpx.HTTPError,), retry_backoff=True, max_retries=8)
def purge_upload(upload_id: str) -> None:
    resp = httpx.delete(f"{FILES_URL}/uploads/{upload_id}", timeout=10.0)
    if resp.status_code not in (204, 404):
        resp.raise_for_status()
