import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)
DATABASE = "seats.db"


def db() -> sqlite3.Connection:
    return sqlite3.connect(DATABASE)


@app.route("/events/<int:event_id>/book", methods=["POST"])
def book(event_id: int):
    wanted = int(request.json.get("seats", 1))
    conn = db()
    cur = conn.cursor()
    cur.execute(f"SELECT seats_left FROM events WHERE id = {event_id}")
    seats_left = cur.fetchone()[0]
    if seats_left < wanted:
        return jsonify(error="sold out"), 409
    cur.execute(f"UPDATE events SET seats_left = {seats_left - wanted} WHERE id = {event_id}")  # expect: SP701
    conn.commit()
    conn.close()
    return jsonify(event=event_id, seats_left=seats_left - wanted)


@app.route("/events/<int:event_id>", methods=["GET"])
def show(event_id: int):
    conn = db()
    row = conn.execute("SELECT id, name, seats_left FROM events WHERE id = ?", (event_id,)).fetchone()
    conn.close()
    return jsonify(id=row[0], name=row[1], seats_left=row[2])


@app.route("/events/<int:event_id>/close", methods=["POST"])
def close(event_id: int):
    conn = db()
    conn.execute(f"UPDATE events SET seats_left = 0 WHERE id = {event_id}")
    conn.commit()
    conn.close()
    return jsonify(event=event_id, seats_left=0)
