"""A Draft as stormproof.yaml text, each guess followed by a comment saying why.

Written by hand rather than with a YAML dumper, which cannot emit comments.
"""

from __future__ import annotations

import json
import re

from stormproof.manifest.draft_model import Draft, DraftDatastore, DraftService, Guess

_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*")
# Plain words YAML 1.1 would read as something other than a string.
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})

_HEADER = """\
# stormproof.yaml, drafted by `stormproof init` from the code in this directory.
# Every value marked "guess" was inferred: confirm or fix each one, fill in the
# TODOs, then run `stormproof manifest` to see the system as stormproof reads it."""

_CONSISTENCY_TODO = """\
# consistency:  # TODO: choose CP or AP for the data it owns, and say why
#   choice: CP  # CP: refuse requests rather than risk conflicting data; AP: keep answering
#   reason: \"\""""

_SAGAS_TODO = """\
# sagas:  # TODO: declare each transaction that spans services; every step needs a
#         # compensation (or pivot: true when it cannot be undone)
#   book-trip:
#     coordinator: booking
#     steps:
#       - {service: payments, action: "POST /charges", compensation: "POST /refunds"}"""

_POLICIES = """\
policies:  # all required by default; "off" turns one off
  timeouts: required
  retries: {max_attempts: 5, backoff: exponential, jitter: required}
  circuit_breakers: required
  idempotency: required
  tracing: required"""


def render_draft(draft: Draft) -> str:
    lines = [_HEADER, *(f"# note: {note}" for note in draft.notes)]
    lines += ["version: 1", _entry("name", Guess(draft.name, "the directory's name"))]
    if draft.services:
        lines.append("services:")
        for service in draft.services.values():
            lines += _indented(_service_lines(service), 1)
    else:
        lines.append("services: {}  # TODO: no service found in the code; declare each one")
    if draft.datastores:
        lines.append("datastores:")
        for datastore in draft.datastores.values():
            lines += _indented(_datastore_lines(datastore), 1)
    lines += [_SAGAS_TODO, _POLICIES]
    return "\n".join(lines) + "\n"


def _service_lines(service: DraftService) -> list[str]:
    body = [_entry("path", service.path)]
    if service.role:
        body.append(_entry("role", service.role))
    if service.run:
        body.append(_entry("run", service.run))
    else:
        body.append('# run: ""  # TODO: the command that starts it; {port} becomes its port')
    if service.health:
        body.append(_entry("health", service.health))
    if service.calls:
        body.append("calls:")
        body += _indented(
            [
                f"{_scalar(t)}: {{env: {_scalar(env)}}}{_why(why)}"
                for t, (env, why) in service.calls.items()
            ],
            1,
        )
    if service.owns:
        body.append("owns:")
        body += _indented(
            [f"- {_scalar(name)}{_why(why)}" for name, why in service.owns.items()], 1
        )
    body += [f"# also uses {name}: {_one_line(why)}" for name, why in service.also_uses.items()]
    if service.owns:
        body += _CONSISTENCY_TODO.splitlines()
    return [f"{_scalar(service.name)}:{_why(service.origin)}", *_indented(body, 1)]


def _datastore_lines(datastore: DraftDatastore) -> list[str]:
    body = [_entry("kind", datastore.kind)]
    if datastore.env:
        body.append(_entry("env", datastore.env))
    else:
        body.append("# env: TODO  # the env var that holds its DSN or path")
    return [f"{_scalar(datastore.name)}:", *_indented(body, 1)]


def _entry(key: str, guess: Guess) -> str:
    return f"{key}: {_scalar(guess.value)}{_why(guess.why)}"


def _why(why: str) -> str:
    return f"  # guess: {_one_line(why)} — confirm" if why else ""


def _indented(lines: list[str], depth: int) -> list[str]:
    return ["  " * depth + line for line in lines]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _scalar(text: str) -> str:
    """`text` as a YAML scalar: plain when that reads back as the same string, else quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(text, ensure_ascii=False)
