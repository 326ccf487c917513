"""Booking package: Datadog tracing is patched in before anything imports requests."""

from ddtrace import config, patch_all

config.service = "booking"
patch_all()
