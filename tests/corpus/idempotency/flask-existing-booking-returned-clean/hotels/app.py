"""Hotels (Flask-SQLAlchemy): one reservation per booking reference; replays get the first."""

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///hotels.db"
db = SQLAlchemy(app)


class Reservation(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    booking_ref = db.Column(db.String(64), unique=True, nullable=False)
    hotel_id = db.Column(db.String(32), nullable=False)


@app.post("/reservations")
def reserve():
    data = request.get_json()
    existing = Reservation.query.filter_by(booking_ref=data["booking_ref"]).first()
    if existing is not None:
        return jsonify(id=existing.id), 200
    reservation = Reservation(booking_ref=data["booking_ref"], hotel_id=data["hotel_id"])
    db.session.add(reservation)
    db.session.commit()
    return jsonify(id=reservation.id), 201
