"""`stormproof manifest`: the summary, the JSON model, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from stormproof.cli.manifest_cmd import manifest
from stormproof.manifest import MANIFEST_NAME, load_manifest


def run(*args: str) -> Result:
    return CliRunner().invoke(manifest, list(args))


@pytest.fixture
def travel(tmp_path: Path, fixtures: Path) -> Path:
    """A project directory holding the travel manifest and a service folder."""
    shutil.copy(fixtures / "travel.yaml", tmp_path / MANIFEST_NAME)
    (tmp_path / "booking").mkdir()
    return tmp_path


def test_text_summary_shows_services_calls_datastores_sagas_and_policies(travel: Path) -> None:
    result = run(str(travel))

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("travel  ")
    assert "5 services, 1 datastore, 1 saga" in out
    assert "│ gateway  │ edge    │ gateway/  │ booking " in out
    assert "payments, flights, hotels" in out
    assert "CP: a seat must never be sold twice" in out
    for edge in (
        "gateway → booking  (BOOKING_URL)",
        "booking → payments  (PAYMENTS_URL)",
        "booking → hotels  (HOTELS_URL)",
    ):
        assert edge in out
    assert "│ bookings-db │ sqlite │ BOOKINGS_DB │ booking │" in out
    assert "Saga book-trip  (coordinator: booking)" in out
    assert "1. payments  POST /charges  undo: POST /refunds" in out
    assert "3. hotels  POST /reservations  undo: DELETE /reservations/{id}" in out
    assert "retries           5 attempts, exponential backoff, jitter required" in out
    assert "timeouts          required" in out
    assert result.stderr == ""


def test_path_inside_the_project_finds_the_manifest_above(travel: Path) -> None:
    result = run(str(travel / "booking"))

    assert result.exit_code == 0, result.output
    assert "Saga book-trip" in result.stdout


def test_json_prints_the_normalised_model(travel: Path) -> None:
    result = run(str(travel), "--format", "json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == load_manifest(travel / MANIFEST_NAME).to_json()
    assert data["services"]["booking"]["calls"]["hotels"] == {"env": "HOTELS_URL"}
    assert data["services"]["payments"]["path"] == "payments/"


def test_manifest_option_names_the_file(tmp_path: Path, fixtures: Path) -> None:
    result = run("--manifest", str(fixtures / "travel.yaml"), str(tmp_path))

    assert result.exit_code == 0, result.output
    assert "gateway → booking" in result.stdout


def test_a_yaml_path_is_read_as_the_manifest(tmp_path: Path, fixtures: Path) -> None:
    other = tmp_path / "prod.yml"
    shutil.copy(fixtures / "travel.yaml", other)

    result = run(str(other), "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["path"] == str(other)


def test_pivots_missing_compensations_and_missing_cap_choices_are_marked(write_manifest) -> None:
    path = write_manifest(
        """
        version: 1
        name: shop
        services:
          orders: {owns: [orders-db], calls: [pay]}
          pay: {}
        datastores:
          orders-db: {kind: postgres}
          spare: {kind: redis, env: SPARE_URL}
        sagas:
          checkout:
            coordinator: orders
            steps:
              - {service: pay, action: POST /charges}
              - {service: pay, action: POST /captures, pivot: true}
        policies:
          retries: off
          tracing: off
        check: {fail_on: error, ignore: [SP601]}
        chaos: {workload: {module: chaos_workload.py}, scenarios: {calm: }}
        """
    )

    result = run("--manifest", str(path))

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1. pay  POST /charges  MISSING compensation (and not a pivot)" in out
    assert "2. pay  POST /captures  pivot: cannot be undone" in out
    assert "none: owns data, choose CP or AP" in out
    assert "│ spare     │ redis    │ SPARE_URL │ none   │" in out
    assert "│ orders-db │ postgres │ -         │ orders │" in out
    assert "retries           off" in out
    assert "tracing           off" in out
    assert "Check  ignore: ['SP601']; fail_on: error" in out
    assert "Chaos  workload chaos_workload.py; scenarios: calm" in out


def test_a_system_without_calls_says_so(write_manifest) -> None:
    result = run("--manifest", str(write_manifest("version: 1\nservices: {solo: {}}\n")))

    assert result.exit_code == 0, result.output
    assert "no calls between services" in result.stdout


def test_invalid_manifest_is_one_line_on_stderr_with_exit_2(write_manifest) -> None:
    path = write_manifest("version: 1\nservices:\n  gateway:\n    rol: edge\n")

    result = run(str(path.parent))

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"{path}:4:5: unknown key 'rol' in service 'gateway' (did you mean 'role'?)\n"
    )


def test_invalid_manifest_as_json_also_fails(write_manifest) -> None:
    path = write_manifest("version: 7\n")

    result = run("--manifest", str(path), "--format", "json")

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert f"{path}:1:10: invalid version" in result.stderr


def test_no_manifest_anywhere_up_is_exit_2(tmp_path: Path) -> None:
    result = run(str(tmp_path))

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "no stormproof.yaml in" in result.stderr
    assert "stormproof init" in result.stderr


def test_missing_manifest_file_is_exit_2(tmp_path: Path) -> None:
    result = run("--manifest", str(tmp_path / "nope.yaml"))

    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: no such file\n"


def test_nonexistent_path_is_exit_2(tmp_path: Path) -> None:
    result = run(str(tmp_path / "missing"))

    assert result.exit_code == 2
    assert result.stderr == f"stormproof: {tmp_path / 'missing'}: no such file or directory\n"


def test_bad_format_is_a_usage_error() -> None:
    result = run("--format", "xml")

    assert result.exit_code == 2
    assert "xml" in result.stderr


def test_help_has_an_example() -> None:
    result = run("--help")

    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    assert "stormproof manifest examples/travel --format json" in result.stdout
