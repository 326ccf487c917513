"""What the hardened travel services share: SQLite set up for concurrent writers, and the
inventory (seats, rooms) with reservations that a saga can safely undo."""
