"""stormproof: guardrails for distributed Python services written with AI assistants."""

# Kept here, not read from the installed metadata: importlib.metadata costs more than
# a cached `stormproof check` run itself. pyproject.toml reads the version from here.
__version__ = "0.1.0"

__all__ = ["__version__"]
