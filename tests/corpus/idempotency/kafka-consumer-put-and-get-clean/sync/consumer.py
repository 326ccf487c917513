"""Mirrors profile changes to the CRM with PUT (a full replace): a replay sends the same state."""

import json
import os

import requests
from kafka import KafkaConsumer

CRM_URL = os.getenv("CRM_URL", "http://crm:8000")


def main() -> None:
    consumer = KafkaConsumer("profiles.updated", bootstrap_servers="kafka:9092", group_id="crm-sync")
    for message in consumer:
        profile = json.loads(message.value)
        current = requests.get(f"{CRM_URL}/contacts/{profile['id']}", timeout=5)
        if current.status_code == 200 and current.json() == profile:
            continue
        resp = requests.put(f"{CRM_URL}/contacts/{profile['id']}", json=profile, timeout=5)
        resp.raise_for_status()


if __name__ == "__main__":
    main()
