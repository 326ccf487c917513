import json
import logging
import os
import smtplib

import redis

log = logging.getLogger("mailer")
queue = redis.Redis.from_url(os.environ["MAIL_QUEUE_URL"], decode_responses=True)


def send(message: dict) -> None:
    with smtplib.SMTP(os.getenv("SMTP_HOST", "smtp"), timeout=10) as smtp:
        smtp.sendmail("noreply@example.com", [message["to"]], message["body"])


def main() -> None:
    while True:
        item = queue.brpoplpush("mail:pending", "mail:processing", timeout=5)
        if item is None:
            continue
        send(json.loads(item))
        queue.lrem("mail:processing", 1, item)
        log.info("sent mail")


if __name__ == "__main__":
    main()
