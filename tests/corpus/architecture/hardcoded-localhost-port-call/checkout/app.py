from flask import Flask, jsonify, request
import requests

app = Flask(__name__)


@app.post("/quote")
def quote():
    cart = request.get_json()
    subtotal = sum(line["price"] * line["qty"] for line in cart["lines"])
    tax = requests.get(
        "http://localhost:8003/rates",  # expect: SP804
        params={"country": cart["country"], "amount": subtotal},
        timeout=2,
    ).json()
    return jsonify(subtotal=subtotal, tax=tax["amount"], total=subtotal + tax["amount"])


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8002, debug=True)
