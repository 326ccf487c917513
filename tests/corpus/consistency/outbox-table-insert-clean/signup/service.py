"""User signup with a transactional outbox: the event row commits with the user row."""

import json
import sqlite3
import uuid


class SignupService:
    def __init__(self, db_path: str) -> None:
        self.db = sqlite3.connect(db_path, check_same_thread=False)

    def register(self, email: str, name: str) -> str:
        user_id = str(uuid.uuid4())
        with self.db:
            self.db.execute(
                "INSERT INTO users (id, email, name) VALUES (?, ?, ?)", (user_id, email, name)
            )
            self.db.execute(
                "INSERT INTO outbox (id, topic, payload) VALUES (?, ?, ?)",
                (str(uuid.uuid4()), "user.registered", json.dumps({"user_id": user_id})),
            )
        return user_id
