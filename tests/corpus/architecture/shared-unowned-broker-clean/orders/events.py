import json
import os

from kafka import KafkaProducer

producer = KafkaProducer(
    bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"].split(","),
    value_serializer=lambda v: json.dumps(v).encode(),
    acks="all",
)


def order_placed(order_id: str, total: int) -> None:
    producer.send("orders.placed", {"order_id": order_id, "total": total})
