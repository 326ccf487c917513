"""The check engine: discover files, analyse each once, run the project pass, report.

Each file is parsed once and every selected rule runs over that one tree. Files
that need analysis are spread over worker processes on big trees. Results are
cached by content hash, so an unchanged file costs a stat call on the next run.
"""

from __future__ import annotations

import ast
import hashlib
import io
import os
import re
import subprocess
import tokenize
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pathspec

from stormproof import __version__
from stormproof.check.analysis.remote_calls import is_client_class
from stormproof.check.cache import FileResult, ResultCache, content_hash, stat_key
from stormproof.check.config import CheckSettings, ConfigError, load_settings
from stormproof.check.context import (
    FileContext,
    FileFacts,
    ProjectContext,
    SystemModel,
    relative_path,
)
from stormproof.check.discovery import discover
from stormproof.check.finding import Finding
from stormproof.check.linking import ExportTable
from stormproof.check.prefilter import build_prefilter
from stormproof.check.result import CheckResult, Diagnostic
from stormproof.check.rule import Rule
from stormproof.check.rules import matches, select_rules
from stormproof.check.suppression import Suppression, apply_suppressions, parse_suppressions

if TYPE_CHECKING:
    from stormproof.manifest import Manifest

# Below this many files to analyse, starting workers costs more than it saves.
_PARALLEL_THRESHOLD = 24


class CheckError(Exception):
    """The run cannot be carried out (bad options, bad manifest, not a git repository…)."""


@dataclass(slots=True)
class CheckOptions:
    """Command-line choices; None means "use the configured value"."""

    manifest: Path | None = None
    use_manifest: bool = True
    select: list[str] | None = None
    ignore: list[str] | None = None
    exclude: list[str] | None = None
    fail_on: str | None = None
    cache: bool = True
    changed: bool = False
    jobs: int | None = None
    # Rule classes to run instead of the built-in registry (custom or test rules).
    rules: list[type[Rule]] | None = None
    # Check test code too (None: as configured, which defaults to no).
    include_tests: bool | None = None
    # Skip files that import nothing any rule is about (see prefilter.py). Off: parse all.
    prefilter: bool = True


def run_check(paths: Sequence[Path], options: CheckOptions | None = None) -> CheckResult:
    """Check `paths` (files or directories) and return every finding.

    Raises CheckError for problems that stop the run (a bad manifest, a bad
    selector); per-file problems become diagnostics and the run goes on.
    """
    options = options or CheckOptions()
    paths = [Path(p) for p in paths] or [Path(".")]
    manifest = _manifest(paths, options)
    root = manifest.root if manifest is not None else Path.cwd()
    settings = _settings(root, manifest, options)
    try:
        rules = options.rules or select_rules(settings.select, settings.ignore)
    except ValueError as exc:
        raise CheckError(str(exc)) from None
    system = SystemModel(manifest)

    found = discover(paths, root, settings.exclude)
    files = found.files
    if not settings.include_tests:
        files = [f for f in files if f not in found.tests]
    if options.changed:
        files = _changed_only(files, root)

    result = CheckResult(root=root, rules=list(rules), diagnostics=list(found.diagnostics))
    result.files = len(files)
    result.input_errors = list(found.missing)
    result.fail_on = settings.fail_on
    cache = ResultCache(
        root, _signature(rules, manifest, settings, options.prefilter), enabled=options.cache
    )
    prefilter = build_prefilter(_manifest_tokens(system)) if options.prefilter else None
    per_file = _analyse_all(files, root, system, rules, settings, cache, prefilter, options, result)
    cache.save()
    _finish(result, per_file, root, system, rules, settings)
    return result


# -- set-up -------------------------------------------------------------------------------


def _manifest(paths: list[Path], options: CheckOptions) -> Manifest | None:
    # Imported here: building the manifest's models is the dearest import of a cached run.
    from stormproof.manifest import ManifestError, find_manifest, load_manifest

    if not options.use_manifest:
        return None
    path = options.manifest or find_manifest(paths[0])
    if path is None:
        return None
    try:
        return load_manifest(path)
    except ManifestError as exc:
        raise CheckError(str(exc)) from None


def _settings(root: Path, manifest: Manifest | None, options: CheckOptions) -> CheckSettings:
    section = _manifest_check_section(manifest)
    try:
        settings = load_settings(root, section)
    except ConfigError as exc:
        raise CheckError(str(exc)) from None
    return settings.merged(
        {
            "select": options.select or None,
            "ignore": options.ignore or None,
            "exclude": [*settings.exclude, *(options.exclude or [])],
            "fail_on": options.fail_on,
            "include_tests": options.include_tests,
        }
    )


def _manifest_check_section(manifest: Manifest | None) -> dict[str, object] | None:
    if manifest is None:
        return None
    check = manifest.check
    data = check.model_dump() if hasattr(check, "model_dump") else dict(vars(check))
    return {k: v for k, v in data.items() if v not in (None, [], {})}


def _signature(
    rules: list[type[Rule]], manifest: Manifest | None, settings: CheckSettings, prefilter: bool
) -> str:
    digest = hashlib.blake2b(digest_size=12)
    digest.update(b"prefilter" if prefilter else b"all")
    digest.update(__version__.encode())
    digest.update(_source_stamp().encode())
    digest.update(",".join(f"{r.__module__}.{r.__qualname__}" for r in rules).encode())
    digest.update(repr(sorted(settings.per_file_ignores.items())).encode())
    if manifest is not None:
        digest.update(manifest.path.read_bytes())
    return digest.hexdigest()


def _source_stamp() -> str:
    """Size and mtime of stormproof's own sources, so editing a rule invalidates the cache."""
    package = Path(__file__).resolve().parent.parent
    stamp = []
    for sub in ("check", "manifest"):
        for path in sorted((package / sub).rglob("*.py")):
            st = path.stat()
            stamp.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(stamp)


def _changed_only(files: list[Path], root: Path) -> list[Path]:
    """The files that differ from git HEAD (modified, staged or untracked)."""
    commands = (
        ["git", "diff", "--name-only", "HEAD", "--"],
        ["git", "ls-files", "--others", "--exclude-standard"],
    )
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed: set[Path] = set()
        for command in commands:
            out = subprocess.run(command, cwd=top, capture_output=True, text=True, check=True)
            changed.update(Path(top, line).resolve() for line in out.stdout.splitlines() if line)
    except (OSError, subprocess.CalledProcessError):
        raise CheckError(f"--changed needs a git repository with a HEAD commit at {root}") from None
    return [f for f in files if f.resolve() in changed]


# -- per-file analysis -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Job:
    path: Path
    relpath: str
    service: str | None
    # Imported clients to analyse with; None: not known yet (the file was never parsed).
    linked: dict[str, str] | None = None


def _analyse_all(
    files: list[Path],
    root: Path,
    system: SystemModel,
    rules: list[type[Rule]],
    settings: CheckSettings,
    cache: ResultCache,
    prefilter: re.Pattern[bytes] | None,
    options: CheckOptions,
    result: CheckResult,
) -> dict[str, FileResult]:
    per_file: dict[str, FileResult] = {}
    pending: list[tuple[_Job, list[int], str]] = []
    for path in files:
        relpath = relative_path(path, root)
        try:
            known = _known_result(path, relpath, cache, settings, prefilter)
        except OSError as exc:
            result.diagnostics.append(Diagnostic(relpath, f"cannot read: {exc.strerror}; skipped"))
            continue
        if isinstance(known, FileResult):
            per_file[relpath] = known
        else:
            service = system.manifest.service_for_path(path) if system.manifest else None
            pending.append((_Job(path, relpath, service.name if service else None), *known))

    for (job, key, sha), analysed in zip(
        pending, _run_jobs([p[0] for p in pending], system, rules, options.jobs), strict=True
    ):
        per_file[job.relpath] = analysed
        if not any(d.get("internal") for d in analysed.diagnostics):
            cache.put(job.relpath, key, sha, analysed)
    _link(per_file, files, root, system, rules, cache, options)
    return per_file


def _known_result(
    path: Path,
    relpath: str,
    cache: ResultCache,
    settings: CheckSettings,
    prefilter: re.Pattern[bytes] | None,
) -> FileResult | tuple[list[int], str]:
    """The file's result when no analysis is needed (cached, too big, prefiltered out);
    otherwise its stat key and content hash, for caching the analysis."""
    stat = path.stat()
    key = stat_key(stat)
    cached = cache.by_stat(relpath, key)
    if cached is not None:
        return cached
    if stat.st_size > settings.max_file_bytes:
        return _skipped(
            relpath,
            f"file is {stat.st_size:,} bytes, over the {settings.max_file_bytes:,}-byte "
            "limit (max_file_bytes); skipped",
        )
    data = path.read_bytes()
    sha = content_hash(data)
    cached = cache.by_hash(relpath, key, sha)
    if cached is not None:
        return cached
    if prefilter is not None and prefilter.search(data) is None:
        unparsed = FileResult(parsed=False)
        cache.put(relpath, key, sha, unparsed)
        return unparsed
    return key, sha


def _link(
    per_file: dict[str, FileResult],
    files: list[Path],
    root: Path,
    system: SystemModel,
    rules: list[type[Rule]],
    cache: ResultCache,
    options: CheckOptions,
) -> None:
    """Analyse again the files that import a client another module defines (linking.py)."""
    table = ExportTable(per_file)
    mentions = table.mention_pattern() if table else None
    jobs: list[_Job] = []
    for path in files:
        relpath = relative_path(path, root)
        result = per_file.get(relpath)
        if result is None:
            continue
        if not result.parsed:
            # The prefilter saw no library; it may still use a client imported from here.
            if mentions is None:
                continue
            try:
                if mentions.search(path.read_bytes()) is None:
                    continue
            except OSError:
                continue
            links = None
        else:
            links = table.links_for(relpath, result.imports)
            if links == result.linked:
                continue
        service = system.manifest.service_for_path(path) if system.manifest else None
        jobs.append(_Job(path, relpath, service.name if service else None, links))
    first = _run_jobs(jobs, system, rules, options.jobs)
    second = []
    for job, result in zip(jobs, first, strict=True):
        links = table.links_for(job.relpath, result.imports)
        if job.linked is None and links != result.linked:
            second.append(_Job(job.path, job.relpath, job.service, links))
        else:
            per_file[job.relpath] = result
    for job, result in zip(second, _run_jobs(second, system, rules, options.jobs), strict=True):
        per_file[job.relpath] = result
    for job in [*jobs, *second]:
        if not any(d.get("internal") for d in per_file[job.relpath].diagnostics):
            cache.update(job.relpath, per_file[job.relpath])


def _manifest_tokens(system: SystemModel) -> frozenset[str]:
    if system.manifest is None:
        return frozenset()
    return system.known_env | frozenset(system.manifest.services)


def _skipped(relpath: str, message: str) -> FileResult:
    return FileResult(diagnostics=[{"path": relpath, "message": message}])


def _run_jobs(
    jobs: list[_Job], system: SystemModel, rules: list[type[Rule]], workers: int | None
) -> list[FileResult]:
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(jobs) < _PARALLEL_THRESHOLD:
        return [_analyse_job(job, system, rules) for job in jobs]
    manifest_path = system.manifest.path if system.manifest else None
    chunk = max(1, len(jobs) // (workers * 4))
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(manifest_path, rules)
    ) as pool:
        return list(pool.map(_worker_analyse, jobs, chunksize=chunk))


_WORKER: dict[str, object] = {}


def _init_worker(manifest_path: Path | None, rules: list[type[Rule]]) -> None:
    from stormproof.manifest import load_manifest

    manifest = load_manifest(manifest_path) if manifest_path else None
    _WORKER["system"] = SystemModel(manifest)
    _WORKER["rules"] = rules


def _worker_analyse(job: _Job) -> FileResult:
    return _analyse_job(job, _WORKER["system"], _WORKER["rules"])  # type: ignore[arg-type]


def _analyse_job(job: _Job, system: SystemModel, rules: list[type[Rule]]) -> FileResult:
    return analyse_file(job.path, job.relpath, job.service, system, rules, job.linked)


def analyse_file(
    path: Path,
    relpath: str,
    service_name: str | None,
    system: SystemModel,
    rules: list[type[Rule]],
    linked: dict[str, str] | None = None,
) -> FileResult:
    """Parse one file once and run every file rule over it.

    `linked` names the clients this file imports from other modules of the project.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _skipped(relpath, f"cannot read: {exc.strerror}; skipped")
    source, error = _decode(data)
    if source is None:
        return _skipped(relpath, error)
    try:
        tree = ast.parse(source, filename=relpath)
    except SyntaxError as exc:
        return FileResult(
            diagnostics=[
                {
                    "path": relpath,
                    "line": exc.lineno,
                    "column": exc.offset,
                    "message": f"cannot parse: {exc.msg}; skipped",
                }
            ]
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        return _skipped(relpath, f"cannot parse: {exc}; skipped")

    service = (
        system.manifest.services.get(service_name) if system.manifest and service_name else None
    )
    ctx = FileContext(
        path=path,
        relpath=relpath,
        source=source,
        tree=tree,
        system=system,
        service=service,
        linked=linked,
    )
    out = FileResult(
        exports=ctx.instances.module_exports(is_client_class),
        imports=sorted(set(ctx.imports.names.values()) | ctx.imports.modules),
        linked=dict(linked or {}),
    )
    for rule_class in rules:
        rule = rule_class()
        try:
            if ctx.policy_enabled(rule.policy):
                out.findings.extend(f.to_json() for f in rule.check_file(ctx))
            facts = rule.collect(ctx)
        except Exception as exc:  # a rule bug must not cost the user the other findings
            if os.environ.get("STORMPROOF_DEBUG"):
                raise
            out.diagnostics.append(
                {
                    "path": relpath,
                    "message": f"internal error in {rule.id}: {type(exc).__name__}: {exc}",
                    "internal": True,
                }
            )
            continue
        if facts is not None:
            out.facts[rule.id] = facts
    out.suppressions = {
        str(line): [sorted(s.codes) if s.codes else None, s.reason]
        for line, s in parse_suppressions(source).items()
    }
    return out


def _decode(data: bytes) -> tuple[str | None, str]:
    """Source text per PEP 263 (UTF-8 unless a coding cookie says otherwise)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding), ""
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)
        return None, f"not valid UTF-8 (or its declared encoding): {reason}; skipped"


# -- project pass and assembly -----------------------------------------------------------


def _finish(
    result: CheckResult,
    per_file: dict[str, FileResult],
    root: Path,
    system: SystemModel,
    rules: list[type[Rule]],
    settings: CheckSettings,
) -> None:
    findings = [Finding.from_json(f) for r in per_file.values() for f in r.findings]
    facts: dict[str, list[FileFacts]] = {}
    suppressions: dict[str, dict[int, Suppression]] = {}
    services = _services_by_path(per_file, root, system)
    for relpath, file_result in sorted(per_file.items()):
        for rule_id, data in file_result.facts.items():
            facts.setdefault(rule_id, []).append(FileFacts(relpath, services.get(relpath), data))
        suppressions[relpath] = {
            int(line): Suppression(frozenset(codes) if codes else None, reason)
            for line, (codes, reason) in file_result.suppressions.items()
        }
        result.diagnostics.extend(
            Diagnostic(d["path"], d["message"], d.get("line"), d.get("column"))
            for d in file_result.diagnostics
        )
    project = ProjectContext(root=root, system=system, facts=facts)
    for rule_class in rules:
        rule = rule_class()
        if project.policy_enabled(rule.policy):
            findings.extend(rule.check_project(project))
    if system.manifest is not None:
        manifest_rel = relative_path(system.manifest.path, root)
        text = system.manifest.path.read_text(encoding="utf-8", errors="replace")
        suppressions[manifest_rel] = parse_suppressions(text)

    findings = _per_file_ignored(findings, settings.per_file_ignores, rules)
    kept, silenced = apply_suppressions(sorted(set(findings), key=_key), suppressions)
    result.findings = kept
    result.suppressed = silenced


def _key(finding: Finding) -> tuple[str, int, int, str]:
    return finding.sort_key


def _services_by_path(
    per_file: dict[str, FileResult], root: Path, system: SystemModel
) -> dict[str, str | None]:
    if system.manifest is None:
        return {}
    services: dict[str, str | None] = {}
    for relpath in per_file:
        service = system.manifest.service_for_path(root / relpath)
        services[relpath] = service.name if service else None
    return services


def _per_file_ignored(
    findings: list[Finding], table: dict[str, list[str]], rules: list[type[Rule]]
) -> list[Finding]:
    if not table:
        return findings
    by_id = {rule.id: rule for rule in rules}
    specs = [(pathspec.GitIgnoreSpec.from_lines([glob]), sel) for glob, sel in table.items()]
    kept = []
    for finding in findings:
        rule = by_id[finding.rule]
        if not any(
            spec.match_file(finding.path) and any(matches(rule, s) for s in selectors)
            for spec, selectors in specs
        ):
            kept.append(finding)
    return kept


__all__ = ["CheckError", "CheckOptions", "analyse_file", "run_check"]
