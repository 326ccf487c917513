"""One chaos run, start to finish: the library API behind `stormproof chaos`.

Phases: start the cluster; drive the workload while the nemesis applies the schedule; heal
every fault; let the system settle; read the final state; judge the invariants; write the
run directory. The cluster is torn down whatever happens, Ctrl-C included.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from stormproof.chaos.cluster import Cluster
from stormproof.chaos.driver import drive
from stormproof.chaos.errors import ChaosError
from stormproof.chaos.nemesis import AppliedFault, Nemesis
from stormproof.chaos.plugin import Overrides, load_workload
from stormproof.chaos.process import faketime_library
from stormproof.chaos.recorder import Recorder
from stormproof.chaos.report import write_report
from stormproof.chaos.scenario import build_schedule
from stormproof.chaos.schedule import Schedule, check_schedule, read_schedule
from stormproof.chaos.topology import Topology
from stormproof.chaos.workload import RunContext, Workload
from stormproof.history import History, Validity, Verdict, check_invariants
from stormproof.manifest import MANIFEST_NAME, Manifest, load_manifest

FINAL_READ_TIMEOUT_S = 60.0
# Operations still in flight when the window closes get this long beyond their own timeout.
DRAIN_GRACE_S = 5.0


@dataclass(frozen=True)
class ChaosOptions:
    """What to run. ``path`` is a manifest or a directory holding ``stormproof.yaml``."""

    path: Path = Path(".")
    scenario: str | None = None
    seed: int | None = None
    duration: float | None = None
    settle: float | None = None
    out: Path | None = None
    replay: Path | None = None
    overrides: Overrides = field(default_factory=Overrides)


@dataclass
class RunStatus:
    """What a run is doing now, for a live display (read from another thread)."""

    phase: str = "loading"
    phase_started: float = field(default_factory=time.monotonic)
    schedule: Schedule | None = None
    run_dir: Path | None = None
    recorder: Recorder | None = None
    nemesis: Nemesis | None = None
    notes: list[str] = field(default_factory=list)

    def enter(self, phase: str) -> None:
        self.phase, self.phase_started = phase, time.monotonic()


@dataclass(frozen=True)
class ChaosResult:
    run_dir: Path
    valid: Validity
    verdicts: tuple[Verdict, ...]
    schedule: Schedule
    reason: str | None = None
    """Why the verdict is unknown, when it is."""

    @property
    def exit_code(self) -> int:
        return {True: 0, False: 1}.get(self.valid, 2)  # type: ignore[call-overload]


@dataclass
class _Outcome:
    """What the phases produced; filled in as far as the run got."""

    history: History = field(default_factory=lambda: History([]))
    final: Any = None
    verdicts: list[Verdict] = field(default_factory=list)
    reason: str | None = None
    applied: list[AppliedFault] = field(default_factory=list)
    counters: dict[str, Any] = field(default_factory=dict)


def run_chaos(options: ChaosOptions, status: RunStatus | None = None) -> ChaosResult:
    """Carry out one run and write its directory. Raises ManifestError or ChaosError (bad
    input, or a system that cannot be started) before anything is left running."""
    status = status or RunStatus()
    manifest = load_manifest(_manifest_path(options.path))
    entry = _entry(manifest)
    topology = Topology.from_manifest(manifest, entry)
    workload = load_workload(manifest, options.overrides)
    schedule = _schedule(manifest, topology, options)
    schedule = _without_skew_if_unsupported(schedule, status)
    run_dir = _run_dir(manifest, options, schedule)
    schedule.write(run_dir / "schedule.json")
    status.schedule, status.run_dir = schedule, run_dir
    settle = manifest.chaos.settle if options.settle is None else options.settle
    started = time.monotonic()
    outcome = asyncio.run(_run(manifest, topology, workload, schedule, run_dir, settle, status))
    result = _result(run_dir, schedule, outcome)
    status.enter("writing")
    write_report(
        run_dir,
        manifest=manifest,
        schedule=schedule,
        history=outcome.history,
        final=outcome.final,
        verdicts=outcome.verdicts,
        valid=result.valid,
        reason=result.reason,
        applied=outcome.applied,
        counters=outcome.counters,
        notes=status.notes,
        seconds=time.monotonic() - started,
    )
    status.enter("done")
    return result


def _manifest_path(path: Path) -> Path:
    return path / MANIFEST_NAME if path.is_dir() else path


def _entry(manifest: Manifest) -> str:
    if manifest.chaos.entry is not None:
        return manifest.chaos.entry
    edges = [name for name, service in manifest.services.items() if service.role == "edge"]
    if len(edges) != 1:
        found = ", ".join(edges) or "none"
        raise ChaosError(
            f"{manifest.path.name}: set chaos.entry to the service the workload talks to "
            f"(services with role edge: {found})"
        )
    return edges[0]


def _schedule(manifest: Manifest, topology: Topology, options: ChaosOptions) -> Schedule:
    for name in manifest.chaos.scenarios:
        # Every scenario, not only the one asked for: a typo should not wait for its day.
        build_schedule(manifest, topology, name, seed=0)
    if options.replay is None:
        seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
        return build_schedule(manifest, topology, options.scenario, seed, options.duration)
    try:
        schedule = read_schedule(options.replay)
        check_schedule(schedule, topology)
    except ValueError as error:
        raise ChaosError(f"--replay: {error}") from None
    if options.seed is not None:
        schedule = replace(schedule, seed=options.seed)
    return schedule


def _without_skew_if_unsupported(schedule: Schedule, status: RunStatus) -> Schedule:
    if not schedule.needs_clock_control or faketime_library() is not None:
        return schedule
    kept = tuple(event for event in schedule.events if event.fault.kind != "skew")
    skipped = len(schedule.events) - len(kept)
    status.notes.append(
        f"skipped {skipped} clock skew fault(s): libfaketime is not installed "
        "(Debian package faketime)"
    )
    return replace(schedule, events=kept)


def _run_dir(manifest: Manifest, options: ChaosOptions, schedule: Schedule) -> Path:
    if options.out is not None:
        run_dir = options.out
        if run_dir.exists() and (not run_dir.is_dir() or any(run_dir.iterdir())):
            raise ChaosError(f"--out {run_dir}: exists and is not an empty directory")
    else:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{schedule.scenario}-seed{schedule.seed}"
        run_dir = manifest.root / ".stormproof" / "chaos" / name
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ChaosError(f"cannot create the run directory {run_dir}: {error.strerror}") from None
    return run_dir


async def _run(
    manifest: Manifest,
    topology: Topology,
    workload: Workload,
    schedule: Schedule,
    run_dir: Path,
    settle: float,
    status: RunStatus,
) -> _Outcome:
    outcome = _Outcome()
    status.enter("starting")
    cluster = Cluster(
        manifest,
        run_dir,
        entry=topology.entry,
        rng=random.Random(f"stormproof-proxy:{schedule.seed}"),
        clock_control=schedule.needs_clock_control,
        health_timeout=manifest.chaos.health_timeout,
    )
    async with cluster:
        context = RunContext(
            entry=topology.entry,
            entry_url=cluster.entry_url,
            urls=dict(cluster.urls),
            data_dir=cluster.data_dir,
            seed=schedule.seed,
            settings=dict(manifest.chaos.workload.settings) if manifest.chaos.workload else {},
        )
        _call_user("setup", workload.setup, context)
        recorder = Recorder(run_dir / "history.jsonl")
        status.recorder = recorder
        try:
            await _fault_window(cluster, topology, workload, schedule, recorder, status, outcome)
        finally:
            recorder.close()
        outcome.history = recorder.history()
        status.enter("settling")
        await asyncio.sleep(settle)
        outcome.counters = cluster.counters()
        status.enter("reading")
        await _read_final_state(workload, context, outcome)
    if outcome.reason is None:
        status.enter("checking")
        outcome.verdicts = check_invariants(
            _call_user("invariants", workload.invariants), outcome.history, outcome.final
        )
    return outcome


async def _fault_window(
    cluster: Cluster,
    topology: Topology,
    workload: Workload,
    schedule: Schedule,
    recorder: Recorder,
    status: RunStatus,
    outcome: _Outcome,
) -> None:
    nemesis = Nemesis(cluster, topology, schedule, recorder.now)
    status.nemesis = nemesis
    outcome.applied = nemesis.applied
    rng = random.Random(f"stormproof-workload:{schedule.seed}")
    limits = httpx.Limits(max_connections=workload.concurrency * 2)
    status.enter("running")
    async with httpx.AsyncClient(
        base_url=cluster.entry_url, timeout=workload.timeout, limits=limits, trust_env=False
    ) as client:
        nemesis.start()
        limit = schedule.duration + workload.timeout + DRAIN_GRACE_S
        try:
            async with asyncio.timeout(limit):
                await drive(workload, client, recorder, rng, schedule.duration)
        except TimeoutError:
            raise ChaosError(
                f"the workload was still running {limit:g}s after it started (its "
                f"{schedule.duration:g}s window, one {workload.timeout:g}s operation timeout and "
                f"{DRAIN_GRACE_S:g}s of grace): an operation ignores cancellation, or the machine "
                "is too loaded to keep time"
            ) from None
        finally:
            status.enter("healing")
            await nemesis.heal()


async def _read_final_state(workload: Workload, context: RunContext, outcome: _Outcome) -> None:
    async with httpx.AsyncClient(timeout=FINAL_READ_TIMEOUT_S, trust_env=False) as client:
        try:
            async with asyncio.timeout(FINAL_READ_TIMEOUT_S):
                outcome.final = await workload.final_state(client, context)
            json.dumps(outcome.final, default=str)
        except Exception as error:
            outcome.reason = f"the final read failed: {type(error).__name__}: {error}"


def _call_user(what: str, function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except Exception as error:
        raise ChaosError(f"the workload's {what} failed: {type(error).__name__}: {error}") from None


def _result(run_dir: Path, schedule: Schedule, outcome: _Outcome) -> ChaosResult:
    verdicts = tuple(outcome.verdicts)
    reason = outcome.reason
    if reason is None and not verdicts:
        reason = "the workload defines no invariants, so nothing was judged"
    if any(v.valid is False for v in verdicts):
        valid: Validity = False
    elif reason is not None or any(v.valid == "unknown" for v in verdicts):
        valid = "unknown"
        reason = reason or "an invariant could not be judged"
    else:
        valid = True
    return ChaosResult(run_dir, valid, verdicts, schedule, reason)
