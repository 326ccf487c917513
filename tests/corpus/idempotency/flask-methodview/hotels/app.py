"""Hotels service with Flask class-based views."""

import sqlite3

from flask import Flask, g, jsonify, request
from flask.views import MethodView

app = Flask(__name__)


def get_db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect("hotels.db")
    return g.db


class ReservationList(MethodView):
    def get(self):
        rows = get_db().execute("SELECT id, hotel_id, guest FROM reservations").fetchall()
        return jsonify([{"id": r[0], "hotel_id": r[1], "guest": r[2]} for r in rows])

    def post(self):  # expect: SP401
        data = request.get_json()
        cur = get_db().execute(
            "INSERT INTO reservations (hotel_id, guest, nights) VALUES (?, ?, ?)",
            (data["hotel_id"], data["guest"], data["nights"]),
        )
        get_db().commit()
        return jsonify(id=cur.lastrowid), 201


class ReservationItem(MethodView):
    def delete(self, reservation_id: int):  # expect: SP401
        get_db().execute("DELETE FROM reservations WHERE id = ?", (reservation_id,))
        get_db().commit()
        return "", 204


app.add_url_rule("/reservations", view_func=ReservationList.as_view("reservations"))
app.add_url_rule(
    "/reservations/<int:reservation_id>", view_func=ReservationItem.as_view("reservation")
)
