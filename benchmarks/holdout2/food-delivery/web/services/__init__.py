"""Clients for the storefront's backends."""
