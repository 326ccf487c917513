"""Redis stream consumer that only sets absolute state: replaying it changes nothing."""

import sqlite3

import redis

r = redis.Redis(decode_responses=True)
db = sqlite3.connect("orders.db")


def run() -> None:
    while True:
        for _, entries in r.xreadgroup("orders", "projector-1", {"payments": ">"}, block=2000):
            for entry_id, fields in entries:
                db.execute(
                    "UPDATE orders SET status = 'paid' WHERE id = ?", (fields["order_id"],)
                )
                db.commit()
                r.hset(f"order:{fields['order_id']}", mapping={"status": "paid"})
                r.xack("payments", "orders", entry_id)


if __name__ == "__main__":
    run()
