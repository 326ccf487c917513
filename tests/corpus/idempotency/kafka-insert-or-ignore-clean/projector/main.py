"""Projects booking events into SQLite; the event id is the primary key."""

import json
import sqlite3

from kafka import KafkaConsumer

consumer = KafkaConsumer("bookings", bootstrap_servers="kafka:9092", group_id="projector")
db = sqlite3.connect("projection.db")

for record in consumer:
    event = json.loads(record.value)
    db.execute(
        "INSERT OR IGNORE INTO bookings (event_id, booking_id, status) VALUES (?, ?, ?)",
        (event["event_id"], event["booking_id"], event["status"]),
    )
    db.commit()
