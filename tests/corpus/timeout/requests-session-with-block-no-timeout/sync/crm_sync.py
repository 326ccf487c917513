"""Nightly job: push changed customers to the CRM."""

import os
import sqlite3

import requests

CRM_URL = os.environ["CRM_URL"]
DB_PATH = os.environ.get("CUSTOMERS_DB", "customers.db")


def changed_customers(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute("SELECT id, email, name FROM customers WHERE dirty = 1").fetchall()
    return [(row[0], row[1], row[2]) for row in rows]


def main() -> None:
    conn = sqlite3.connect(DB_PATH)
    with requests.Session() as http:
        http.headers.update({"X-Api-Key": os.environ["CRM_API_KEY"]})
        for customer_id, email, name in changed_customers(conn):
            existing = http.get(f"{CRM_URL}/contacts", params={"email": email})  # expect: SP101
            if existing.ok and existing.json():
                contact_id = existing.json()[0]["id"]
                http.request(  # expect: SP101
                    "PATCH",
                    f"{CRM_URL}/contacts/{contact_id}",
                    json={"name": name},
                )
            else:
                http.post(f"{CRM_URL}/contacts", json={"email": email, "name": name}, timeout=15)
            conn.execute("UPDATE customers SET dirty = 0 WHERE id = ?", (customer_id,))
            conn.commit()


if __name__ == "__main__":
    main()
