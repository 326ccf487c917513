"""`stormproof audit`: the command-line face of `stormproof.ledger`. One module per
subcommand, imported only when it runs."""
