"""Programs that the saga tests run as real processes, and the downstream they call."""
