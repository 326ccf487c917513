"""Small purpose-built systems that `stormproof chaos` is run against in the tests, each with
known, planted bugs (see ledger/)."""
