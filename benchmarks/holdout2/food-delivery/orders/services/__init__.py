"""Clients for the services an order passes through."""
