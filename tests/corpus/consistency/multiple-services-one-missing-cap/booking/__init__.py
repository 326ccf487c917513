"""Service code lives elsewhere in this example."""
