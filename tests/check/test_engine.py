"""The engine: discovery, bad input, caching, suppression, settings, parallelism.

These tests run a small rule of their own (every `requests.*` call is a finding)
so that they exercise the engine, not the built-in rules.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from stormproof.check import CheckError, CheckOptions, Finding, Rule, engine, run_check
from stormproof.check.context import FileContext

REQUESTS_CALL = "import requests\n\ndef f():\n    return requests.get('http://x')\n"


class EveryRequestsCall(Rule):
    id = "SP999"
    name = "every-requests-call"
    category = "timeout"
    severity = "warning"
    summary = why = bad = good = fix = "test rule"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        for call in ctx.remote_calls:
            if call.library == "requests":
                yield ctx.finding(self, call.node, "a requests call")


def check(*paths: Path, **options: object) -> object:
    options.setdefault("rules", [EveryRequestsCall])
    options.setdefault("cache", False)
    return run_check(list(paths), CheckOptions(**options))  # type: ignore[arg-type]


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def paths_of(result: object) -> list[str]:
    return sorted({f.path for f in result.findings})  # type: ignore[attr-defined]


def test_finds_calls_and_reports_relative_posix_paths(tree: Path) -> None:
    write(tree / "svc" / "app.py", REQUESTS_CALL)
    result = check(tree)
    assert [(f.path, f.line, f.column, f.rule) for f in result.findings] == [
        ("svc/app.py", 4, 12, "SP999")
    ]
    assert result.files == 1


def test_gitignore_at_every_level_and_exclude_are_honoured(tree: Path) -> None:
    write(tree / ".gitignore", "generated/\n")
    write(tree / "generated" / "a.py", REQUESTS_CALL)
    write(tree / "pkg" / ".gitignore", "local_*.py\n")
    write(tree / "pkg" / "local_x.py", REQUESTS_CALL)
    write(tree / "pkg" / "kept.py", REQUESTS_CALL)
    write(tree / "vendor" / "v.py", REQUESTS_CALL)
    write(tree / ".venv" / "lib.py", REQUESTS_CALL)
    result = check(tree, exclude=["vendor/"])
    assert paths_of(result) == ["pkg/kept.py"]


def test_gitignore_of_a_parent_applies_when_checking_a_subdirectory(tree: Path) -> None:
    write(tree / ".gitignore", "*_pb2.py\n")
    write(tree / "svc" / "api_pb2.py", REQUESTS_CALL)
    write(tree / "svc" / "app.py", REQUESTS_CALL)
    assert paths_of(check(tree / "svc")) == ["svc/app.py"]


def test_a_file_that_does_not_parse_is_a_diagnostic_and_the_run_goes_on(tree: Path) -> None:
    write(tree / "broken.py", "import requests\ndef f(:\n")
    write(tree / "ok.py", REQUESTS_CALL)
    result = check(tree)
    assert paths_of(result) == ["ok.py"]
    [diagnostic] = result.diagnostics
    assert diagnostic.path == "broken.py" and diagnostic.line == 2
    assert "cannot parse" in diagnostic.message


def test_a_file_that_is_not_utf8_is_a_diagnostic(tree: Path) -> None:
    write(tree / "latin.py", b"import requests\nx = '\xe9t\xe9'\n")
    write(tree / "ok.py", REQUESTS_CALL)
    result = check(tree)
    assert paths_of(result) == ["ok.py"]
    assert [d.path for d in result.diagnostics] == ["latin.py"]
    assert "not valid UTF-8" in result.diagnostics[0].message


def test_a_declared_latin1_encoding_is_respected(tree: Path) -> None:
    source = "# -*- coding: latin-1 -*-\n" + REQUESTS_CALL + "x = '\xe9'\n"
    write(tree / "declared.py", source.encode("latin-1"))
    result = check(tree)
    assert paths_of(result) == ["declared.py"] and not result.diagnostics


def test_a_huge_file_is_skipped_with_a_diagnostic(tree: Path) -> None:
    write(tree / "pyproject.toml", "[tool.stormproof]\nmax-file-bytes = 1000\n")
    write(tree / "huge.py", REQUESTS_CALL + "#" * 2000 + "\n")
    write(tree / "ok.py", REQUESTS_CALL)
    result = check(tree)
    assert paths_of(result) == ["ok.py"]
    assert "over the 1,000-byte limit" in result.diagnostics[0].message


def test_symlink_loops_neither_hang_nor_crash(tree: Path) -> None:
    write(tree / "ok.py", REQUESTS_CALL)
    os.symlink(tree / "a.py", tree / "b.py")
    os.symlink(tree / "b.py", tree / "a.py")
    (tree / "sub").mkdir()
    os.symlink(tree, tree / "sub" / "loop")
    result = check(tree)
    assert paths_of(result) == ["ok.py"]
    assert {d.path for d in result.diagnostics} == {"a.py", "b.py"}


def test_a_symlink_loop_named_on_the_command_line_is_a_diagnostic(tree: Path) -> None:
    os.symlink(tree / "x.py", tree / "y.py")
    os.symlink(tree / "y.py", tree / "x.py")
    result = check(tree / "x.py")
    assert result.diagnostics and "x.py" in result.diagnostics[0].path
    assert result.findings == []


def test_a_missing_path_is_an_input_error_but_the_rest_is_checked(tree: Path) -> None:
    write(tree / "ok.py", REQUESTS_CALL)
    result = check(tree / "ok.py", Path("nope"))
    assert paths_of(result) == ["ok.py"]
    assert result.input_errors == ["nope"]


def test_suppression_comment_keeps_the_justification(tree: Path) -> None:
    source = (
        "import requests\n"
        "requests.get('a')  # stormproof: ignore[SP999] -- health probe, fails fast\n"
        "requests.get('b')  # stormproof: ignore[SP101]\n"
        "requests.get('c')  # stormproof: ignore\n"
    )
    write(tree / "app.py", source)
    result = check(tree)
    assert [f.line for f in result.findings] == [3]
    assert [(f.line, f.justification) for f in result.suppressed] == [
        (2, "health probe, fails fast"),
        (4, None),
    ]


def test_per_file_ignores_from_pyproject(tree: Path) -> None:
    write(tree / "pyproject.toml", '[tool.stormproof]\nper-file-ignores = {"tests/*" = ["SP9"]}\n')
    write(tree / "tests" / "test_x.py", REQUESTS_CALL)
    write(tree / "app.py", REQUESTS_CALL)
    assert paths_of(check(tree)) == ["app.py"]


def test_unknown_pyproject_key_is_an_error_naming_the_file_and_a_suggestion(tree: Path) -> None:
    write(tree / "pyproject.toml", "[tool.stormproof]\nselct = ['SP1']\n")
    write(tree / "app.py", REQUESTS_CALL)
    with pytest.raises(CheckError, match=r"pyproject.toml.*unknown key 'selct'.*'select'"):
        check(tree)


def test_a_selector_that_selects_nothing_is_an_error(tree: Path) -> None:
    write(tree / "app.py", REQUESTS_CALL)
    with pytest.raises(CheckError, match="selects no rule"):
        run_check([tree], CheckOptions(select=["SP000"], cache=False))


def test_a_bad_manifest_stops_the_run_with_its_position(tree: Path) -> None:
    write(tree / "stormproof.yaml", "version: 1\nname: x\nservices:\n  a:\n    rol: edge\n")
    write(tree / "a" / "app.py", REQUESTS_CALL)
    with pytest.raises(CheckError, match=r"stormproof.yaml:5:\d+: .*rol"):
        check(tree)


def test_files_that_import_nothing_relevant_are_not_parsed(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tree / "plain.py", "def f():\n    return 1\n")
    write(tree / "app.py", REQUESTS_CALL)
    parsed: list[str] = []
    original = engine.analyse_file

    def spy(path: Path, *args: object) -> object:
        parsed.append(path.name)
        return original(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "analyse_file", spy)
    result = check(tree)
    assert parsed == ["app.py"] and result.files == 2


def test_the_cache_skips_unchanged_files_and_notices_changes(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tree / "app.py", REQUESTS_CALL)
    write(tree / "other.py", REQUESTS_CALL)
    first = check(tree, cache=True)
    parsed: list[str] = []
    original = engine.analyse_file

    def spy(path: Path, *args: object) -> object:
        parsed.append(path.name)
        return original(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "analyse_file", spy)
    second = check(tree, cache=True)
    assert parsed == [] and second.findings == first.findings
    write(tree / "app.py", REQUESTS_CALL + "requests.post('y')\n")
    third = check(tree, cache=True)
    assert parsed == ["app.py"] and len(third.findings) == 3
    assert (tree / ".stormproof" / "cache").is_dir()


def test_no_cache_writes_nothing(tree: Path) -> None:
    write(tree / "app.py", REQUESTS_CALL)
    check(tree, cache=False)
    assert not (tree / ".stormproof").exists()


def test_a_damaged_cache_is_ignored(tree: Path) -> None:
    write(tree / "app.py", REQUESTS_CALL)
    check(tree, cache=True)
    for file in (tree / ".stormproof" / "cache").glob("*.json"):
        file.write_text("{not json", encoding="utf-8")
    assert paths_of(check(tree, cache=True)) == ["app.py"]


def test_parallel_and_serial_runs_agree(tree: Path) -> None:
    for i in range(60):
        write(tree / f"m{i:02}.py", REQUESTS_CALL * (1 + i % 3))
    serial = check(tree, jobs=1)
    parallel = check(tree, jobs=2)
    assert len(serial.findings) == 60 * 2
    assert parallel.findings == serial.findings


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_changed_checks_only_files_changed_against_head(tree: Path) -> None:
    write(tree / "old.py", REQUESTS_CALL)
    write(tree / "edited.py", REQUESTS_CALL)
    git(tree, "init", "-q")
    git(tree, "-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    git(tree, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "init")
    write(tree / "edited.py", REQUESTS_CALL + "requests.put('z')\n")
    write(tree / "new.py", REQUESTS_CALL)
    assert paths_of(check(tree, changed=True)) == ["edited.py", "new.py"]


def test_changed_outside_a_git_repository_is_an_error(tree: Path) -> None:
    write(tree / "app.py", REQUESTS_CALL)
    with pytest.raises(CheckError, match="--changed needs a git repository"):
        check(tree, changed=True)


HTTP_MODULE = "import httpx\n\nclient = httpx.AsyncClient(base_url='http://x')\n"
USES_CLIENT = (
    "from {module} import client\n\n\nasync def charge():\n    return await client.post('/c')\n"
)


class EveryRemoteCall(EveryRequestsCall):
    id = "SP998"
    name = "every-remote-call"

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        for call in ctx.remote_calls:
            yield ctx.finding(self, call.node, call.api)


@pytest.mark.parametrize("module", ["svc.http", ".http", "http"])
def test_a_client_imported_from_another_module_is_known(tree: Path, module: str) -> None:
    write(tree / "svc" / "__init__.py", "")
    write(tree / "svc" / "http.py", HTTP_MODULE)
    write(tree / "svc" / "app.py", USES_CLIENT.format(module=module))
    result = check(tree, rules=[EveryRemoteCall])
    assert [(f.path, f.line, f.message) for f in result.findings] == [
        ("svc/app.py", 5, "httpx.AsyncClient.post")
    ]


def test_links_follow_changes_through_the_cache(tree: Path) -> None:
    write(tree / "svc" / "http.py", HTTP_MODULE)
    write(tree / "svc" / "app.py", USES_CLIENT.format(module="svc.http"))
    assert len(check(tree, rules=[EveryRemoteCall], cache=True).findings) == 1
    assert len(check(tree, rules=[EveryRemoteCall], cache=True).findings) == 1
    write(tree / "svc" / "http.py", "client = None\n")
    assert check(tree, rules=[EveryRemoteCall], cache=True).findings == []
    write(tree / "svc" / "http.py", HTTP_MODULE)
    assert len(check(tree, rules=[EveryRemoteCall], cache=True).findings) == 1


def test_test_code_is_skipped_unless_asked_for(tree: Path) -> None:
    write(tree / "svc" / "app.py", REQUESTS_CALL)
    write(tree / "svc" / "tests" / "test_app.py", REQUESTS_CALL)
    write(tree / "svc" / "client_test.py", REQUESTS_CALL)
    write(tree / "conftest.py", REQUESTS_CALL)
    assert paths_of(check(tree)) == ["svc/app.py"]
    assert check(tree).files == 1
    assert len(paths_of(check(tree, include_tests=True))) == 4
    # Named on the command line, a test file is checked.
    assert paths_of(check(tree / "svc" / "client_test.py")) == ["svc/client_test.py"]


def test_include_tests_from_pyproject(tree: Path) -> None:
    write(tree / "pyproject.toml", "[tool.stormproof]\ninclude-tests = true\n")
    write(tree / "tests" / "test_x.py", REQUESTS_CALL)
    assert paths_of(check(tree)) == ["tests/test_x.py"]
    write(tree / "pyproject.toml", "[tool.stormproof]\ninclude-tests = 'yes'\n")
    with pytest.raises(CheckError, match="'include_tests' must be true or false"):
        check(tree)


def test_only_the_path_below_the_checked_directory_says_what_is_a_test(tree: Path) -> None:
    write(tree / "tests" / "fixtures" / "svc" / "app.py", REQUESTS_CALL)
    assert paths_of(check(tree / "tests" / "fixtures")) == ["tests/fixtures/svc/app.py"]
