"""The one error the ledger raises for bad input: a one-line message for the command line."""


class LedgerError(Exception):
    """Bad input or a ledger that cannot be used (no repository, a missing file, a corrupt
    entry). The message is one line, naming the file or the entry."""
