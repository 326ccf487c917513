"""Removes deleted products from the search tables; deleting twice is harmless."""

import json
import sqlite3

from kafka import KafkaConsumer

consumer = KafkaConsumer("products.deleted", bootstrap_servers="kafka:9092", group_id="search")
db = sqlite3.connect("search.db")


def run() -> None:
    for msg in consumer:
        product = json.loads(msg.value)
        db.execute("DELETE FROM search_index WHERE product_id = ?", (product["id"],))
        db.execute("DELETE FROM facets WHERE product_id = ?", (product["id"],))
        db.commit()


if __name__ == "__main__":
    run()
