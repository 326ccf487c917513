import json
import os

from confluent_kafka import Producer

producer = Producer({"bootstrap.servers": os.environ["KAFKA_BROKERS"]})


def _invoice_event(invoice_id: str, total: int) -> bytes:
    return json.dumps({"type": "invoice.issued", "id": invoice_id, "total": total}).encode()


def announce(invoice_id: str, total: int) -> None:
    payload = _invoice_event(invoice_id, total)
    producer.produce("invoices", payload, key=invoice_id)
    producer.flush(5)
