"""Analyses over one parsed file that several rules share.

The core ones (`imports`, `instances`, `env`, `remote_calls`) are built by
`FileContext`; the topical ones (retries, breakers, handlers, datastores…) are
plain functions over a `FileContext`.
"""
