import json
import sqlite3
import uuid

import boto3
from flask import Flask, jsonify, request

app = Flask(__name__)
sqs = boto3.client("sqs")
QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/thumbnails"


def db() -> sqlite3.Connection:
    return sqlite3.connect("uploads.db")


@app.post("/uploads")
def create_upload():
    upload_id = str(uuid.uuid4())
    key = request.json["s3_key"]
    conn = db()
    cur = conn.cursor()
    cur.execute("INSERT INTO uploads (id, s3_key, status) VALUES (?, ?, 'pending')", (upload_id, key))
    conn.commit()
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps({"upload_id": upload_id, "key": key}))  # expect: SP902
    return jsonify(id=upload_id), 201


@app.get("/uploads/<upload_id>")
def get_upload(upload_id: str):
    row = db().execute("SELECT status FROM uploads WHERE id = ?", (upload_id,)).fetchone()
    return jsonify(id=upload_id, status=row[0])
