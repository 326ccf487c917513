"""`stormproof chaos` from the command line: exit codes, one-line errors for bad input, and
nothing left running whatever happens."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from stormproof.cli.main import cli
from tests.chaos.leftovers import processes_in
from tests.chaos.systems.ledger import ledger_variant

CALM = {"duration": 1.5, "faults": []}
KILL_STORE = {
    "duration": 3.0,
    "faults": [{"at": 0.5, "duration": 1.5, "target": "store", "fault": "kill"}],
}


def chaos(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["chaos", *args, "--no-progress"])
    return result.exit_code, result.stdout, result.stderr


def edit(manifest: Path, change: object) -> None:
    data = yaml.safe_load(manifest.read_text())
    change(data)  # type: ignore[operator]
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture()
def ledger(tmp_path: Path) -> Iterator[Path]:
    manifest = ledger_variant(tmp_path, "", CALM)
    yield manifest
    assert processes_in(manifest.parent) == [], "processes were left running"


def test_a_run_where_every_invariant_holds_exits_0(ledger: Path, tmp_path: Path) -> None:
    code, out, err = chaos(
        str(ledger.parent), "--seed", "1", "--settle", "0.5", "--out", str(tmp_path / "run")
    )

    assert code == 0, err
    assert "scenario default · seed 1" in out
    assert "held  acknowledged deposits kept" in out
    assert (tmp_path / "run" / "summary.md").is_file()


def test_a_violated_invariant_exits_1_and_names_it(tmp_path: Path) -> None:
    manifest = ledger_variant(tmp_path, "in-memory", KILL_STORE)

    code, out, err = chaos(
        str(manifest), "--seed", "1", "--settle", "0.5", "--out", str(tmp_path / "run")
    )

    assert code == 1, err
    assert "VIOLATED  acknowledged deposits kept" in out
    assert processes_in(manifest.parent) == []


def _assert_one_line(code: int, err: str, expected: str) -> str:
    assert code == 2, err
    first = err.splitlines()[0]
    assert first.startswith("stormproof chaos: ") and expected in first, err
    assert "Traceback" not in err
    return first


def test_an_unknown_scenario_is_bad_input(ledger: Path) -> None:
    code, _, err = chaos(str(ledger), "--scenario", "defualt")
    _assert_one_line(code, err, "unknown scenario 'defualt' (did you mean 'default'?)")


def test_a_workload_that_fails_to_import_is_bad_input(ledger: Path) -> None:
    (ledger.parent / "workload.py").write_text("import nothing_by_this_name\n")
    code, _, err = chaos(str(ledger))
    _assert_one_line(
        code, err, "workload module workload.py cannot be imported: ModuleNotFoundError"
    )


def test_a_manifest_without_run_commands_is_bad_input(ledger: Path) -> None:
    edit(ledger, lambda data: data["services"]["store"].pop("run"))
    code, _, err = chaos(str(ledger))
    _assert_one_line(code, err, "store has no run command")


def test_a_service_that_does_not_start_shows_its_log_tail(ledger: Path) -> None:
    def crash(data: dict) -> None:
        data["services"]["store"]["run"] = (
            "python -c \"import sys; print('store: cannot open the database'); sys.exit(3)\" {port}"
        )

    edit(ledger, crash)
    code, _, err = chaos(str(ledger))
    first = _assert_one_line(code, err, "store")
    assert "cannot open the database" in err.replace(first, "")


def test_a_port_in_use_is_bad_input(ledger: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        def fixed_port(data: dict) -> None:
            store = data["services"]["store"]
            store["run"] = store["run"].replace("{port}", str(port))
            store["port"] = port

        edit(ledger, fixed_port)
        code, _, err = chaos(str(ledger))
    _assert_one_line(code, err, f"port {port}")
    assert "in use" in err


def test_a_bad_manifest_entry_names_its_line(ledger: Path) -> None:
    text = ledger.read_text().replace("duration: 1.5", "duration: 1.5\n      durration: 3")
    ledger.write_text(text)
    code, _, err = chaos(str(ledger))
    _assert_one_line(code, err, "unknown key 'durration'")
    assert "stormproof.yaml:" in err


def test_replaying_a_directory_without_a_schedule_is_bad_input(
    ledger: Path, tmp_path: Path
) -> None:
    code, _, err = chaos(str(ledger), "--replay", str(tmp_path))
    _assert_one_line(code, err, "--replay")


def test_an_out_directory_with_files_in_it_is_refused(ledger: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    code, _, err = chaos(str(ledger), "--out", str(tmp_path / "taken"))
    _assert_one_line(code, err, "exists and is not an empty directory")
    assert (tmp_path / "taken" / "keep.txt").read_text() == "mine"


@contextlib.contextmanager
def chaos_under_way(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """`stormproof chaos` on the ledger system, as a process, once its workload is running;
    afterwards, whatever happened, nothing is left running for the rest of the suite."""
    manifest = ledger_variant(tmp_path, "", {"duration": 60, "faults": []})
    out = tmp_path / "run"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stormproof",
            "chaos",
            str(manifest),
            "--out",
            str(out),
            "--no-progress",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        history = out / "history.jsonl"
        deadline = time.monotonic() + 30
        while not (history.exists() and history.stat().st_size > 0):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the run never started its workload"
            time.sleep(0.1)
        assert processes_in(manifest.parent), "the services should be running by now"
        yield process, manifest.parent
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
        for pid in processes_in(manifest.parent):
            os.kill(pid, signal.SIGKILL)


def processes_left_in(root: Path, seconds: float = 10.0) -> list[int]:
    """The processes still running in ``root`` after waiting up to ``seconds`` for none."""
    give_up = time.monotonic() + seconds
    while (left := processes_in(root)) and time.monotonic() < give_up:
        time.sleep(0.1)
    return left


def test_ctrl_c_stops_every_service_and_exits_2(tmp_path: Path) -> None:
    with chaos_under_way(tmp_path) as (process, root):
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        leftovers = processes_in(root)
    assert process.returncode == 2, err
    assert "interrupted" in err and "Traceback" not in err
    assert leftovers == []


def test_kill_9_of_stormproof_still_stops_every_service(tmp_path: Path) -> None:
    """Nothing of the dying process runs on SIGKILL; the run's reaper stops the services."""
    with chaos_under_way(tmp_path) as (process, root):
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert processes_left_in(root) == []


def test_a_workload_whose_invariants_raise_is_one_line_not_a_traceback(ledger: Path) -> None:
    with (ledger.parent / "workload.py").open("a") as workload:
        workload.write("\n\nLedgerWorkload.invariants = lambda self: 1 / 0  # type: ignore\n")
    code, _, err = chaos(str(ledger), "--settle", "0")
    _assert_one_line(code, err, "the workload's invariants failed: ZeroDivisionError")
