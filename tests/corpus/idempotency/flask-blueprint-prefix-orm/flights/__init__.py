"""Flights service (Flask application factory)."""

import os

from flask import Flask

from flights.models import db
from flights.reservations import bp as reservations_bp


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("FLIGHTS_DB", "sqlite:///flights.db")
    db.init_app(app)
    app.register_blueprint(reservations_bp)
    return app
