from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy

from shop.tasks import send_receipt, update_search_index

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql://shop@shop-db/shop"
db = SQLAlchemy(app)


class Order(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(200), nullable=False)
    total_cents = db.Column(db.Integer, nullable=False)


class Product(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))


@app.post("/orders")
def place_order():
    body = request.get_json()
    order = Order(email=body["email"], total_cents=body["total_cents"])
    db.session.add(order)
    db.session.commit()
    send_receipt.delay(order.id)  # expect: SP902
    return jsonify(id=order.id), 201


@app.put("/products/<int:product_id>")
def rename_product(product_id: int):
    product = db.get_or_404(Product, product_id)
    product.title = request.get_json()["title"]
    db.session.commit()
    update_search_index.apply_async(args=[product_id], countdown=5)  # expect: SP902
    return jsonify(id=product.id, title=product.title)


@app.post("/products/<int:product_id>/reindex")
def reindex(product_id: int):
    update_search_index.delay(product_id)
    return jsonify(queued=True), 202
