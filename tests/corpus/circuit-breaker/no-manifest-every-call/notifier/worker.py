"""Sends booking confirmations through the mail provider and the SMS gateway."""

import logging
import os

import requests
from httpx import post

log = logging.getLogger(__name__)

MAIL_API = os.getenv("MAIL_API", "https://api.mailer.example.com/v3")
SMS_API = os.getenv("SMS_API", "https://sms.example.com/send")

session = requests.Session()
session.headers.update({"Authorization": f"Bearer {os.getenv('MAIL_TOKEN', '')}"})


def send_email(to: str, subject: str, body: str) -> None:
    resp = session.post(  # expect: SP301
        f"{MAIL_API}/messages",
        json={"to": to, "subject": subject, "text": body},
        timeout=10,
    )
    resp.raise_for_status()
    log.info("mail queued for %s", to)


def send_sms(phone: str, text: str) -> bool:
    resp = post(SMS_API, json={"to": phone, "text": text}, timeout=5.0)  # expect: SP301
    return resp.status_code == 202


def notify(booking: dict) -> None:
    send_email(booking["email"], "Your trip is booked", f"Booking {booking['id']} confirmed")
    if booking.get("phone"):
        send_sms(booking["phone"], f"Booking {booking['id']} confirmed")
