"""Shared test settings."""

import os

# A bug inside a rule must fail the test, not turn into a diagnostic.
os.environ.setdefault("STORMPROOF_DEBUG", "1")
