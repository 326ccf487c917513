"""Reservation endpoints."""

from flask import Blueprint, abort, jsonify, request

from flights.models import Reservation, db

bp = Blueprint("reservations", __name__, url_prefix="/reservations")


@bp.route("", methods=["POST"])
def create_reservation():  # expect: SP401
    data = request.get_json(force=True)
    reservation = Reservation(flight_id=data["flight_id"], user_id=data["user_id"])
    db.session.add(reservation)
    db.session.commit()
    return jsonify(id=reservation.id, status=reservation.status), 201


@bp.route("/<int:reservation_id>", methods=["DELETE"])
def cancel_reservation(reservation_id: int):
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None:
        abort(404)
    db.session.delete(reservation)
    db.session.commit()
    return "", 204


@bp.route("/<int:reservation_id>", methods=["GET"])
def show_reservation(reservation_id: int):
    reservation = db.get_or_404(Reservation, reservation_id)
    return jsonify(id=reservation.id, status=reservation.status)
