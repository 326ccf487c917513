"""Kanban board: save a card, then push it to browsers over websockets (in-process)."""

import json
import sqlite3

from fastapi import FastAPI, WebSocket

app = FastAPI()
db = sqlite3.connect("board.db", check_same_thread=False)
clients: set[WebSocket] = set()


@app.websocket("/ws")
async def ws(socket: WebSocket) -> None:
    await socket.accept()
    clients.add(socket)


@app.post("/cards")
async def add_card(title: str, column: str) -> dict:
    with db:
        cur = db.execute("INSERT INTO cards (title, col) VALUES (?, ?)", (title, column))
    card = {"id": cur.lastrowid, "title": title, "column": column}
    for socket in list(clients):
        await socket.send_text(json.dumps(card))
    return card
