"""Flights models."""

from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Reservation(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    flight_id = db.Column(db.String(16), nullable=False)
    user_id = db.Column(db.String(64), nullable=False)
    status = db.Column(db.String(16), default="held")
