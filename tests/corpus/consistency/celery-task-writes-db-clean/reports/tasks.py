import os
import sqlite3

from celery import Celery, shared_task

app = Celery("reports", broker=os.environ.get("CELERY_BROKER_URL", "amqp://rabbitmq"))


@shared_task(bind=True, max_retries=3)
def build_report(self, report_id: str) -> None:
    conn = sqlite3.connect("reports.db")
    rows = conn.execute("SELECT amount FROM sales WHERE report_id = ?", (report_id,)).fetchall()
    total = sum(r[0] for r in rows)
    conn.execute("UPDATE reports SET total = ?, status = 'done' WHERE id = ?", (total, report_id))
    conn.commit()
    conn.close()
