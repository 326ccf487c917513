"""Wallets: crediting a debit back writes `balance = balance + amount` through the ORM."""

import os

from flask import Flask, abort, jsonify, request
from sqlalchemy import Column, Integer, String, create_engine
from sqlalchemy.orm import Session, declarative_base

Model = declarative_base()


class Wallet(Model):
    __tablename__ = "wallets"
    id = Column(String, primary_key=True)
    balance = Column(Integer, nullable=False)


class Debit(Model):
    __tablename__ = "debits"
    id = Column(String, primary_key=True)
    wallet_id = Column(String, nullable=False)
    cents = Column(Integer, nullable=False)


engine = create_engine(os.environ["WALLETS_DB"])
app = Flask(__name__)


@app.post("/debits")
def debit():
    payload = request.get_json()
    key = request.headers["Idempotency-Key"]
    with Session(engine) as session:
        found = session.get(Debit, key)
        if found is not None:
            return jsonify(id=found.id)
        wallet = session.get(Wallet, payload["wallet_id"])
        wallet.balance = wallet.balance - payload["cents"]
        session.add(Debit(id=key, wallet_id=wallet.id, cents=payload["cents"]))
        session.commit()
    return jsonify(id=key), 201


@app.post("/debits/<debit_id>/credit-back")
def credit_back(debit_id: str):  # expect: SP401
    with Session(engine) as session:
        entry = session.get(Debit, debit_id)
        if entry is None:
            abort(404)
        wallet = session.get(Wallet, entry.wallet_id)
        wallet.balance = entry.cents + wallet.balance
        session.commit()
    return jsonify(ok=True)
