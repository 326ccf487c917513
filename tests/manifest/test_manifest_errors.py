"""Every way a manifest can be unusable, each reported at its file, line and column."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from stormproof.manifest import MANIFEST_NAME, ManifestError, load_manifest

SERVICES = """\
version: 1
services:
  payments: {}
  api:
"""

# (id, manifest text, line, column, message)
CASES = [
    (
        "unknown-key-with-suggestion",
        "version: 1\nname: x\nservices:\n  gateway:\n    rol: edge\n",
        5,
        5,
        "unknown key 'rol' in service 'gateway' (did you mean 'role'?)",
    ),
    (
        "unknown-key-without-suggestion",
        "version: 1\nservices:\n  gateway:\n    colour: blue\n",
        4,
        5,
        "unknown key 'colour' in service 'gateway'",
    ),
    (
        "unknown-top-level-key",
        "version: 1\nservces: {}\n",
        2,
        1,
        "unknown key 'servces' at the top level (did you mean 'services'?)",
    ),
    (
        "name-is-not-a-service-key",
        "version: 1\nservices:\n  api:\n    name: api\n",
        4,
        5,
        "unknown key 'name' in service 'api'",
    ),
    (
        "unknown-key-in-saga-step",
        "version: 1\nservices: {a: {}}\nsagas:\n  s:\n    coordinator: a\n    steps:\n"
        "      - {service: a, action: POST /x, compensate: POST /y}\n",
        7,
        39,
        "unknown key 'compensate' in step 1 of saga 's' (did you mean 'compensation'?)",
    ),
    (
        "unknown-key-in-retries",
        "version: 1\npolicies:\n  retries: {max_attempts: 3, jiter: off}\n",
        3,
        30,
        "unknown key 'jiter' in policies.retries (did you mean 'jitter'?)",
    ),
    (
        "unknown-policy",
        "version: 1\npolicies:\n  timeout: off\n",
        3,
        3,
        "unknown key 'timeout' in policies (did you mean 'timeouts'?)",
    ),
    (
        "unknown-key-in-check",
        "version: 1\ncheck:\n  selct: [SP1]\n",
        3,
        3,
        "unknown key 'selct' in check (did you mean 'select'?)",
    ),
    (
        "unknown-key-in-consistency",
        "version: 1\nservices:\n  a:\n    consistency: {choice: CP, reason: r, resaon: s}\n",
        4,
        42,
        "unknown key 'resaon' in consistency of service 'a' (did you mean 'reason'?)",
    ),
    (
        "unknown-key-in-call",
        "version: 1\nservices:\n  b: {}\n  a:\n    calls: {b: {env: B_URL, url: x}}\n",
        5,
        29,
        "unknown key 'url' in calls.b of service 'a'",
    ),
    (
        "unknown-key-in-datastore",
        "version: 1\ndatastores:\n  db: {kind: redis, dsn: x}\n",
        3,
        21,
        "unknown key 'dsn' in datastore 'db'",
    ),
    (
        "unsupported-version",
        "version: 2\n",
        1,
        10,
        "invalid version: this stormproof reads version 1, not 2",
    ),
    (
        "version-as-string",
        "version: '1'\n",
        1,
        10,
        "invalid version: input should be a valid integer, got '1'",
    ),
    ("missing-version", "name: x\n", 1, 1, "missing key 'version' at the top level"),
    (
        "missing-datastore-kind",
        "version: 1\ndatastores:\n  db:\n    env: DB_URL\n",
        3,
        3,
        "missing key 'kind' in datastore 'db'",
    ),
    (
        "missing-consistency-reason",
        "version: 1\nservices:\n  a:\n    consistency:\n      choice: CP\n",
        4,
        5,
        "missing key 'reason' in consistency of service 'a'",
    ),
    (
        "invalid-service-name",
        "version: 1\nservices:\n  Gateway: {}\n",
        3,
        3,
        "invalid service name 'Gateway': use lower-case letters, digits and '-', "
        "starting with a letter",
    ),
    (
        "service-name-starting-with-a-digit",
        "version: 1\nservices:\n  1api: {}\n",
        3,
        3,
        "invalid service name '1api': use lower-case letters, digits and '-', "
        "starting with a letter",
    ),
    (
        "call-to-unknown-service-short-form",
        SERVICES + "    calls: [paymnts]\n",
        5,
        13,
        "service 'api' calls unknown service 'paymnts' (did you mean 'payments'?)",
    ),
    (
        "call-to-unknown-service-long-form",
        SERVICES + "    calls:\n      billing: {env: BILLING_URL}\n",
        6,
        7,
        "service 'api' calls unknown service 'billing'",
    ),
    ("call-to-itself", SERVICES + "    calls: [api]\n", 5, 13, "service 'api' calls itself"),
    (
        "call-listed-twice",
        SERVICES + "    calls: [payments, payments]\n",
        5,
        12,
        "invalid calls of service 'api': 'payments' is listed twice",
    ),
    (
        "short-form-call-that-is-not-a-name",
        SERVICES + "    calls: [{payments: 1}]\n",
        5,
        12,
        "invalid calls of service 'api': the short form lists service names, "
        "e.g. [payments, flights]",
    ),
    (
        "env-var-wired-to-two-services",
        SERVICES
        + "    calls: {payments: {env: UPSTREAM}}\n  web:\n    calls: {api: {env: UPSTREAM}}\n",
        7,
        24,
        "env var 'UPSTREAM' is wired to 'api' here but to 'payments' in service 'api'; "
        "each URL env var names one service",
    ),
    (
        "owns-unknown-datastore",
        "version: 1\nservices:\n  a: {owns: [booking-db]}\n"
        "datastores:\n  bookings-db: {kind: sqlite}\n",
        3,
        14,
        "service 'a' owns unknown datastore 'booking-db' (did you mean 'bookings-db'?)",
    ),
    (
        "datastore-owned-by-two-services",
        "version: 1\nservices:\n  a: {owns: [db]}\n  b:\n    owns:\n      - db\n"
        "datastores:\n  db: {kind: sqlite}\n",
        6,
        9,
        "datastore 'db' is owned by both 'a' and 'b'; a datastore has exactly one owner",
    ),
    (
        "datastore-listed-twice",
        "version: 1\nservices:\n  a: {owns: [db, db]}\ndatastores:\n  db: {kind: sqlite}\n",
        3,
        18,
        "datastore 'db' is listed twice in service 'a'",
    ),
    (
        "unknown-datastore-kind",
        "version: 1\ndatastores:\n  db: {kind: sqlit}\n",
        3,
        14,
        "invalid kind of datastore 'db': expected sqlite, postgres, mysql, redis, mongodb, "
        "kafka, rabbitmq or other, got 'sqlit'",
    ),
    (
        "unknown-saga-coordinator",
        "version: 1\nservices: {a: {}}\nsagas:\n  s:\n    coordinator: booking\n    steps:\n"
        "      - {service: a, action: POST /x, compensation: POST /y}\n",
        5,
        18,
        "saga 's' has coordinator unknown service 'booking'",
    ),
    (
        "unknown-saga-step-service",
        "version: 1\nservices: {a: {}}\nsagas:\n  s:\n    coordinator: a\n    steps:\n"
        "      - {service: a, action: POST /x, compensation: POST /y}\n"
        "      - {service: b, action: POST /x, pivot: true}\n",
        8,
        19,
        "step 2 of saga 's' names unknown service 'b'",
    ),
    (
        "saga-action-not-an-endpoint",
        "version: 1\nservices: {a: {}}\nsagas:\n  s:\n    coordinator: a\n    steps:\n"
        "      - {service: a, action: charge}\n",
        7,
        30,
        "invalid action of step 1 of saga 's': expected 'METHOD /path' such as "
        "'POST /charges', got 'charge'",
    ),
    (
        "saga-compensation-not-an-endpoint",
        "version: 1\nservices: {a: {}}\nsagas:\n  s:\n    coordinator: a\n    steps:\n"
        "      - service: a\n        action: POST /x\n        compensation: UNDO /x\n",
        9,
        23,
        "invalid compensation of step 1 of saga 's': expected 'METHOD /path' such as "
        "'POST /charges', got 'UNDO /x'",
    ),
    (
        "saga-without-steps",
        "version: 1\nservices: {a: {}}\nsagas:\n  s:\n    coordinator: a\n    steps: []\n",
        6,
        12,
        "invalid steps of saga 's': list should have at least 1 item after validation, not 0",
    ),
    (
        "invalid-role",
        "version: 1\nservices:\n  gateway:\n    role: edgy\n",
        4,
        11,
        "invalid role of service 'gateway': expected edge, service or worker, got 'edgy'",
    ),
    (
        "invalid-cap-choice",
        "version: 1\nservices:\n  a:\n    consistency: {choice: CA, reason: r}\n",
        4,
        27,
        "invalid consistency.choice of service 'a': expected CP or AP, got 'CA'",
    ),
    (
        "invalid-policy-value",
        "version: 1\npolicies:\n  timeouts: maybe\n",
        3,
        13,
        "invalid policies.timeouts: expected required or off, got 'maybe'",
    ),
    (
        "invalid-retries-value",
        "version: 1\npolicies:\n  retries: 3\n",
        3,
        12,
        "invalid policies.retries: expected required, off or a mapping "
        "{max_attempts, backoff, jitter}, got 3",
    ),
    (
        "retries-max-attempts-below-one",
        "version: 1\npolicies:\n  retries: {max_attempts: 0}\n",
        3,
        27,
        "invalid policies.retries.max_attempts: input should be greater than or equal to 1, got 0",
    ),
    (
        "retries-invalid-backoff",
        "version: 1\npolicies:\n  retries:\n    backoff: fibonacci\n",
        4,
        14,
        "invalid policies.retries.backoff: expected exponential, constant or linear, "
        "got 'fibonacci'",
    ),
    (
        "retries-invalid-jitter",
        "version: 1\npolicies:\n  retries:\n    jitter: sometimes\n",
        4,
        13,
        "invalid policies.retries.jitter: expected required or off, got 'sometimes'",
    ),
    (
        "invalid-fail-on",
        "version: 1\ncheck:\n  fail_on: info\n",
        3,
        12,
        "invalid check.fail_on: expected error, warning or never, got 'info'",
    ),
    (
        "check-list-of-non-strings",
        "version: 1\ncheck:\n  select: [SP1, 101]\n",
        3,
        17,
        "invalid check.select[1]: input should be a valid string, got 101",
    ),
    (
        "env-value-that-is-a-list",
        "version: 1\nservices:\n  a:\n    env: {X: [1]}\n",
        4,
        14,
        "invalid env.X of service 'a': input should be a valid string",
    ),
    (
        "services-not-a-mapping",
        "version: 1\nservices: [a, b]\n",
        2,
        11,
        "invalid services: input should be a valid dictionary",
    ),
    (
        "duplicate-key",
        "version: 1\nservices:\n  a: {}\n  b: {}\n  a: {role: edge}\n",
        5,
        3,
        "duplicate key 'a' (first at line 3)",
    ),
    (
        "duplicate-top-level-key",
        "version: 1\nversion: 1\n",
        2,
        1,
        "duplicate key 'version' (first at line 1)",
    ),
    (
        "yaml-syntax-error",
        "version: 1\nservices:\n  a: [b\n",
        4,
        1,
        "invalid YAML: while parsing a flow sequence: expected ',' or ']', but got '<stream end>'",
    ),
    (
        "yaml-bad-indentation",
        "version: 1\n services: {}\n",
        2,
        10,
        "invalid YAML: mapping values are not allowed here",
    ),
    (
        "yaml-unknown-tag",
        "version: 1\nname: !vault secret\n",
        2,
        7,
        "invalid YAML: could not determine a constructor for the tag '!vault'",
    ),
    (
        "yaml-control-character",
        "version: 1\nname: a\x07b\n",
        2,
        8,
        "invalid YAML: special characters are not allowed (character 0x0007)",
    ),
    (
        "alias-that-refers-to-itself",
        "version: 1\nchaos: &loop\n  again: *loop\n",
        2,
        8,
        "an alias refers to itself",
    ),
    (
        "version-left-empty",
        "version:\n",
        1,
        9,
        "invalid version: input should be a valid integer, got None",
    ),
    (
        "complex-key",
        "version: 1\n? [a, b]\n: 1\n",
        2,
        3,
        "a mapping key must be a plain name",
    ),
    (
        "top-level-list",
        "- version: 1\n",
        1,
        1,
        "the top level must be a mapping (version, name, services, ...)",
    ),
    (
        "top-level-scalar",
        "\n\nstormproof\n",
        3,
        1,
        "the top level must be a mapping (version, name, services, ...)",
    ),
    ("empty-file", "", 1, 1, "the manifest is empty"),
    ("blank-file", "\n  \n", 1, 1, "the manifest is empty"),
    ("comments-only", "# nothing yet\n", 1, 1, "the manifest is empty"),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_error_names_file_line_column_and_problem(
    tmp_path: Path, text: str, line: int, column: int, message: str
) -> None:
    path = tmp_path / MANIFEST_NAME
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ManifestError) as caught:
        load_manifest(path)

    error = caught.value
    assert (error.line, error.column, error.message) == (line, column, message)
    assert error.path == path
    assert str(error) == f"{path}:{line}:{column}: {message}"
    assert "\n" not in str(error)
    assert error.errors[0].message == message


def test_all_errors_are_kept_in_file_order(write_manifest) -> None:
    path = write_manifest(
        """
        version: 1
        services:
          a:
            rol: edge
            calls: [b]
          b:
            role: boss
        sagas:
          s: {coordinator: a, steps: []}
        """
    )

    with pytest.raises(ManifestError) as caught:
        load_manifest(path)

    found = [(e.line, e.column, e.message) for e in caught.value.errors]
    assert found == [
        (4, 5, "unknown key 'rol' in service 'a' (did you mean 'role'?)"),
        (7, 11, "invalid role of service 'b': expected edge, service or worker, got 'boss'"),
        (
            9,
            30,
            "invalid steps of saga 's': list should have at least 1 item after validation, not 0",
        ),
    ]
    assert (caught.value.line, caught.value.column) == (4, 5)


def test_reference_errors_are_all_kept(write_manifest) -> None:
    path = write_manifest(
        """
        version: 1
        services:
          a: {calls: [x], owns: [y]}
        """
    )

    with pytest.raises(ManifestError) as caught:
        load_manifest(path)

    assert [e.message for e in caught.value.errors] == [
        "service 'a' calls unknown service 'x'",
        "service 'a' owns unknown datastore 'y'",
    ]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST_NAME

    with pytest.raises(ManifestError) as caught:
        load_manifest(path)

    assert (caught.value.line, caught.value.column) == (None, None)
    assert str(caught.value) == f"{path}: no such file"


def test_a_directory_is_not_a_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="is a directory, not a manifest file"):
        load_manifest(tmp_path)


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST_NAME
    path.write_bytes(b"version: 1\nname: caf\xe9 x\n")

    with pytest.raises(ManifestError) as caught:
        load_manifest(path)

    assert str(caught.value) == f"{path}:2:10: not UTF-8 text (byte 0xe9)"


def test_error_path_is_shown_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / MANIFEST_NAME).write_text("version: 3\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    with pytest.raises(ManifestError) as caught:
        load_manifest(Path("deploy") / MANIFEST_NAME)

    assert str(caught.value).startswith(f"deploy/{MANIFEST_NAME}:1:10: invalid version")


def test_an_error_survives_pickling(write_manifest) -> None:
    path = write_manifest("version: 1\nservices:\n  A: {}\n")
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)

    copy = pickle.loads(pickle.dumps(caught.value))

    assert (copy.path, copy.line, copy.column, copy.message) == (
        caught.value.path,
        3,
        3,
        caught.value.message,
    )
    assert str(copy) == str(caught.value)
