"""`stormproof audit`: a tamper-evident ledger of which prompt produced which code."""

from __future__ import annotations

import click

from stormproof.cli.options import LazyGroup

# subcommand → "module:attribute", imported when it runs
SUBCOMMANDS = {
    "record": "stormproof.cli.audit.record_cmd:record",
    "checkpoint": "stormproof.cli.audit.checkpoint_cmd:checkpoint",
    "verify": "stormproof.cli.audit.verify_cmd:verify",
    "log": "stormproof.cli.audit.log_cmd:log",
    "blame": "stormproof.cli.audit.blame_cmd:blame",
    "redact": "stormproof.cli.audit.redact_cmd:redact",
    "anchor": "stormproof.cli.audit.anchor_cmd:anchor",
    "export": "stormproof.cli.audit.export_cmd:export",
    "keygen": "stormproof.cli.audit.keygen_cmd:keygen",
}


@click.group(cls=LazyGroup, lazy=SUBCOMMANDS, context_settings={"max_content_width": 100})
def audit() -> None:
    """A tamper-evident ledger of which prompt and model produced which code.

    Entries live in .stormproof/ledger/ beside the manifest (or at the repository's root),
    one canonical-JSON file per entry, named by its SHA-256 and naming its parents' hashes;
    prompts, responses and file snapshots are blobs named by theirs. Commit the directory
    with the code: it travels and merges with the repository. Run `checkpoint` before each
    generation and `record` after it, so that lines changed by hand in between are credited
    to a person, not to the model.
    """
