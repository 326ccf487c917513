"""Keeps a local copy of products: session.merge upserts by primary key."""

import json

from kafka import KafkaConsumer
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from catalog.models import Product

engine = create_engine("sqlite:///catalog.db")


def main() -> None:
    consumer = KafkaConsumer("products.updated", bootstrap_servers="kafka:9092", group_id="catalog")
    with Session(engine) as session:
        for record in consumer:
            data = json.loads(record.value)
            session.merge(Product(id=data["id"], name=data["name"], price_cents=data["price_cents"]))
            session.commit()


if __name__ == "__main__":
    main()
