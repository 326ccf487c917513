from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///shop.db"
db = SQLAlchemy(app)


class Product(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    stock = db.Column(db.Integer, nullable=False, default=0)


@app.post("/products/<int:product_id>/purchase")
def purchase(product_id: int):
    qty = request.get_json().get("quantity", 1)
    updated = (
        Product.query.filter(Product.id == product_id, Product.stock >= qty)
        .update({Product.stock: Product.stock - qty}, synchronize_session=False)
    )
    db.session.commit()
    if updated == 0:
        return jsonify({"error": "not enough stock"}), 409
    product = db.session.get(Product, product_id)
    return jsonify({"id": product.id, "stock": product.stock})


@app.post("/products")
def create():
    body = request.get_json()
    product = Product(stock=0)
    product.stock += int(body.get("initial_stock", 0))
    db.session.add(product)
    db.session.commit()
    return jsonify({"id": product.id, "stock": product.stock}), 201
