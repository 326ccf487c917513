"""Shared helpers (outside every service's path); only orders imports this module."""

import os

from sqlalchemy import create_engine


def make_engine():
    return create_engine(os.environ["ORDERS_DATABASE_URL"], pool_pre_ping=True)
