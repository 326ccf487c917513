from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///shop.db"
db = SQLAlchemy(app)


class Product(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    stock = db.Column(db.Integer, nullable=False, default=0)
    sold = db.Column(db.Integer, nullable=False, default=0)


@app.post("/products/<int:product_id>/purchase")
def purchase(product_id: int):
    qty = request.get_json().get("quantity", 1)
    product = Product.query.get_or_404(product_id)
    if product.stock < qty:
        return jsonify({"error": "not enough stock"}), 409
    product.stock -= qty  # expect: SP701
    product.sold += qty
    db.session.commit()
    return jsonify({"id": product.id, "stock": product.stock})


@app.put("/products/<int:product_id>")
def rename(product_id: int):
    product = db.get_or_404(Product, product_id)
    product.name = request.get_json()["name"]
    db.session.commit()
    return jsonify({"id": product.id, "name": product.name})
