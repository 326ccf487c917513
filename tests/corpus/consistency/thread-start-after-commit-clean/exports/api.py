import sqlite3
import threading
import uuid

from flask import Flask, jsonify

app = Flask(__name__)


def build(export_id: str) -> None:
    print("building", export_id)


@app.post("/exports")
def create_export():
    export_id = str(uuid.uuid4())
    conn = sqlite3.connect("exports.db")
    conn.execute("INSERT INTO exports (id, status) VALUES (?, 'pending')", (export_id,))
    conn.commit()
    conn.close()
    threading.Thread(target=build, args=(export_id,), daemon=True).start()
    return jsonify(id=export_id), 202
