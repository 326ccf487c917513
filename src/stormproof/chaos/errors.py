"""The one error a chaos run reports instead of a verdict: the run could not be carried out."""

from __future__ import annotations


class ChaosError(Exception):
    """A run that cannot be carried out (a service that will not start, a port in use...).

    ``str()`` is one line, for the command line to print before it exits 2; ``detail`` holds
    what helps to see why (such as the tail of a service's log), printed after it, indented.
    """

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail
