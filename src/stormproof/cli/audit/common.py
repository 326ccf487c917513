"""What several audit subcommands share: bad input is one line on stderr and exit 2; the
PATH... argument and the ``--sign`` option of the commands that record files; and the note
on a binary file recorded."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from stormproof.ledger import Ledger, LedgerError

F = TypeVar("F", bound=Callable[..., Any])

FILE = click.Path(path_type=Path, dir_okay=False)

# Not required of click: the ledger checks the paths (none given, missing, not a file,
# outside the repository), each with a one-line message, where click's usage error is four.
paths_argument = click.argument(
    "paths", nargs=-1, metavar="PATH...", type=click.Path(path_type=Path)
)


def sign_option(help: str) -> Callable[[F], F]:
    """``--sign KEY``, passed to the command as ``key``."""
    return click.option("--sign", "key", type=FILE, help=help)


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


def note_binary(ledger: Ledger, digest: str) -> None:
    """A note on stderr for each binary file the entry recorded: what was recorded, not a
    second read of files that may have changed since."""
    for file in ledger.read_entry(digest).files:
        if file.lines is None:
            click.echo(f"note: {file.path} is binary: its hash is recorded, no line attribution",
                       err=True)  # fmt: skip
