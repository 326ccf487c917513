"""Background assignment of couriers to deliveries (Celery, Redis broker)."""

import os
import sqlite3
from contextlib import closing

from celery import Celery

COURIERS_DB = os.environ["COURIERS_DB"]

celery_app = Celery("couriers", broker=os.environ["CELERY_BROKER_URL"])


class NoCourierFreeError(Exception):
    """Every courier in the zone is busy; the task is retried later."""


@celery_app.task(acks_late=True, autoretry_for=(NoCourierFreeError,), max_retries=20)
def assign_courier(delivery_id: int) -> None:
    with closing(sqlite3.connect(COURIERS_DB)) as conn, conn:
        courier = conn.execute(
            "SELECT id FROM couriers WHERE status = 'idle' ORDER BY last_job_at LIMIT 1"
        ).fetchone()
        if courier is None:
            raise NoCourierFreeError(delivery_id)
        taken = conn.execute(
            "UPDATE couriers SET status = 'busy', last_job_at = CURRENT_TIMESTAMP"
            " WHERE id = ? AND status = 'idle'",
            (courier[0],),
        ).rowcount
        if not taken:
            raise NoCourierFreeError(delivery_id)
        conn.execute(
            "UPDATE deliveries SET courier_id = ?, status = 'assigned' WHERE id = ?",
            (courier[0], delivery_id),
        )
