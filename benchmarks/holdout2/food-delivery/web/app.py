"""Storefront: browse restaurants, check out a basket, follow an order."""

import os
import uuid

import sqlalchemy
from flask import Flask, jsonify, request
from web.services.menu_client import MenuClient
from web.services.orders_client import OrdersClient

app = Flask(__name__)
menu = MenuClient()
orders = OrdersClient()
# Read replica for the ops dashboard; faster than asking the orders service.
reporting = sqlalchemy.create_engine(os.environ["ORDERS_DATABASE_URL"], pool_size=2)


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/restaurants")
def restaurants():
    postcode = request.args.get("postcode", "")
    return jsonify(menu.restaurants_near(postcode))


@app.get("/restaurants/<restaurant_id>")
def restaurant_menu(restaurant_id: str):
    return jsonify(menu.menu(restaurant_id))


@app.post("/checkout")
def checkout():
    basket = request.get_json(force=True)
    request_id = request.headers.get("X-Request-ID") or str(uuid.uuid4())
    order = orders.place(basket, request_id)
    return jsonify(order), 201


@app.get("/orders/<order_id>")
def order_status(order_id: str):
    return jsonify(orders.get(order_id))


@app.post("/orders/<order_id>/cancel")
def cancel(order_id: str):
    return jsonify(orders.cancel(order_id))


@app.post("/orders/<order_id>/tip")
def tip(order_id: str):
    cents = int(request.get_json(force=True)["cents"])
    orders.add_tip(order_id, cents)
    return jsonify({"order_id": order_id, "tip_cents": cents}), 202


@app.get("/ops/orders-today")
def orders_today():
    query = sqlalchemy.text("SELECT count(*) FROM orders WHERE created_at >= current_date")
    with reporting.connect() as conn:
        count = conn.execute(query).scalar_one()
    return {"orders_today": count}
