"""What every audit subcommand shares: bad input is one line on stderr and exit 2."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import click

from stormproof.ledger import LedgerError


@contextlib.contextmanager
def one_line_errors(command: str) -> Iterator[None]:
    """Turn a LedgerError (or an unreadable file) into ``stormproof audit CMD: message``
    and exit 2."""
    try:
        yield
    except LedgerError as error:
        click.echo(f"stormproof audit {command}: {error}", err=True)
        sys.exit(2)
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        click.echo(f"stormproof audit {command}: {where}{error.strerror}", err=True)
        sys.exit(2)
