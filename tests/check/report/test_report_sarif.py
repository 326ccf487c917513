from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from stormproof import __version__
from stormproof.check.finding import Finding
from stormproof.check.report import render
from stormproof.check.report.rule_page import rule_markdown
from stormproof.check.report.sarif import FINGERPRINT_KEY, fingerprint
from stormproof.check.result import CheckResult
from stormproof.check.rule import Rule
from stormproof.check.rules import ALL_RULES

MakeFinding = Callable[..., Finding]
SCHEMA_PATH = Path(__file__).parents[2] / "data" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def sarif(result: CheckResult, **kwargs: Any) -> dict[str, Any]:
    return json.loads(render(result, "sarif", **kwargs))


def assert_valid(validator: Draft4Validator, document: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_full_result_validates_against_the_schema(
    validator: Draft4Validator, full_result: CheckResult
) -> None:
    assert_valid(validator, sarif(full_result))


def test_validator_catches_a_broken_document(
    validator: Draft4Validator, full_result: CheckResult
) -> None:
    document = sarif(full_result)
    document["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(document))


def test_driver_describes_every_rule_github_needs(full_result: CheckResult) -> None:
    run = sarif(full_result)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "stormproof"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert [rule["id"] for rule in driver["rules"]] == ["SP101", "SP201"]
    for descriptor in driver["rules"]:
        assert descriptor["shortDescription"]["text"]
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"]
        assert descriptor["help"]["markdown"]
        assert descriptor["properties"]["precision"] in {"very-high", "high", "medium", "low"}


def test_rule_descriptor_content(full_result: CheckResult, timeout_rule: type[Rule]) -> None:
    [descriptor] = [
        rule
        for rule in sarif(full_result)["runs"][0]["tool"]["driver"]["rules"]
        if rule["id"] == "SP101"
    ]
    assert descriptor["name"] == "remote-call-without-timeout"
    assert descriptor["shortDescription"]["text"] == "A remote call with no timeout."
    assert descriptor["fullDescription"]["text"].startswith("requests waits forever by default;")
    assert descriptor["help"]["markdown"] == rule_markdown(timeout_rule)
    assert "requests.post(url, json=body, timeout=5)" in descriptor["help"]["text"]
    assert descriptor["defaultConfiguration"] == {"level": "error"}
    assert descriptor["properties"]["tags"] == ["timeout"]


def test_every_result_resolves_to_its_rule(full_result: CheckResult) -> None:
    run = sarif(full_result)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["results"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith(("/", "file:"))
        assert location["region"]["startLine"] >= 1
        assert result["partialFingerprints"][FINGERPRINT_KEY]


def test_result_fields(full_result: CheckResult) -> None:
    results = sarif(full_result)["runs"][0]["results"]
    timeout = next(r for r in results if r["ruleId"] == "SP101" and "suppressions" not in r)
    assert timeout["level"] == "error"
    assert timeout["message"]["text"] == "requests.post to payments has no timeout"
    assert timeout["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "booking/app.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 6, "startColumn": 9, "endLine": 6, "endColumn": 43},
    }
    assert timeout["properties"]["service"] == "booking"
    retry = next(r for r in results if r["ruleId"] == "SP201")
    assert retry["level"] == "warning"


def test_suppressed_findings_are_results_with_in_source_suppressions(
    full_result: CheckResult, make_finding: MakeFinding, validator: Draft4Validator
) -> None:
    results = sarif(full_result)["runs"][0]["results"]
    [silenced] = [r for r in results if "suppressions" in r]
    assert silenced["suppressions"] == [{"kind": "inSource", "justification": "payments is local"}]
    bare = CheckResult(root=full_result.root, suppressed=[make_finding().silenced(None)])
    document = sarif(bare)
    assert document["runs"][0]["results"][0]["suppressions"] == [{"kind": "inSource"}]
    assert_valid(validator, document)


def test_diagnostics_become_tool_execution_notifications(full_result: CheckResult) -> None:
    [invocation] = sarif(full_result)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["level"] == "warning"
    assert notification["message"]["text"] == "invalid syntax"
    location = notification["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "gateway/bad.py"
    assert location["region"] == {"startLine": 3, "startColumn": 5}


def test_srcroot_is_the_result_root_as_a_directory_uri(full_result: CheckResult) -> None:
    base = sarif(full_result)["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == full_result.root.resolve().as_uri() + "/"


def test_rules_seen_only_in_findings_are_described(
    project: Path, make_finding: MakeFinding, validator: Draft4Validator
) -> None:
    stray = replace(
        make_finding(), rule="XX999", name="plugin-rule", category="saga", severity="warning"
    )
    document = sarif(CheckResult(root=project, findings=[stray], rules=[]))
    [descriptor] = document["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor["id"] == "XX999"
    assert descriptor["help"]["text"] == stray.fix
    assert descriptor["defaultConfiguration"] == {"level": "warning"}
    assert_valid(validator, document)


def test_registered_rules_describe_themselves(
    project: Path, validator: Draft4Validator, fixture_rules: tuple[type[Rule], ...]
) -> None:
    # Whatever the real registry holds must make valid SARIF too.
    result = CheckResult(root=project, rules=[*ALL_RULES, *fixture_rules])
    document = sarif(result)
    assert_valid(validator, document)
    # One descriptor per id: fixture rules that reuse a real id are described once.
    ids = {rule.id for rule in [*ALL_RULES, *fixture_rules]}
    assert len(document["runs"][0]["tool"]["driver"]["rules"]) == len(ids)


def test_paths_are_percent_encoded(project: Path, make_finding: MakeFinding) -> None:
    finding = make_finding(path="my app/100%#ü.py")
    [result] = sarif(CheckResult(root=project, findings=[finding]))["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20app/100%25%23%C3%BC.py"


def test_backwards_regions_are_repaired(
    project: Path, make_finding: MakeFinding, validator: Draft4Validator
) -> None:
    finding = make_finding(line=6, column=9, end_line=5, end_column=2)
    document = sarif(CheckResult(root=project, findings=[finding]))
    region = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 6, "startColumn": 9, "endLine": 6, "endColumn": 9}
    assert_valid(validator, document)


def _fingerprints(root: Path, findings: list[Finding]) -> list[str]:
    results = sarif(CheckResult(root=root, findings=findings))["runs"][0]["results"]
    return [result["partialFingerprints"][FINGERPRINT_KEY] for result in results]


def test_fingerprint_is_stable_when_lines_move(tmp_path: Path, make_finding: MakeFinding) -> None:
    source = "import requests\n\nrequests.get(URL)\n"
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    before = _fingerprints(tmp_path, [make_finding(path="app.py", line=3, column=1)])
    shifted = "import requests\nimport os\n\n\ndef f():\n    pass\n\n    requests.get(URL)\n"
    (tmp_path / "app.py").write_text(shifted, encoding="utf-8")
    after = _fingerprints(tmp_path, [make_finding(path="app.py", line=8, column=5)])
    assert before == after


def test_fingerprint_changes_with_the_line_rule_or_file(
    tmp_path: Path, make_finding: MakeFinding, retry_rule: type[Rule]
) -> None:
    (tmp_path / "app.py").write_text("requests.get(A)\nrequests.get(B)\n", encoding="utf-8")
    (tmp_path / "other.py").write_text("requests.get(A)\n", encoding="utf-8")
    prints = _fingerprints(
        tmp_path,
        [
            make_finding(path="app.py", line=1),
            make_finding(path="app.py", line=2),
            make_finding(retry_rule, path="app.py", line=1, column=2),
            make_finding(path="other.py", line=1),
        ],
    )
    assert len(set(prints)) == 4


def test_identical_lines_get_distinct_fingerprints_by_occurrence(
    tmp_path: Path, make_finding: MakeFinding
) -> None:
    (tmp_path / "app.py").write_text("call()\ncall()\n", encoding="utf-8")
    first, second = _fingerprints(
        tmp_path, [make_finding(path="app.py", line=2), make_finding(path="app.py", line=1)]
    )
    assert first != second
    # Deleting the first copy makes the second one "the first": GitHub sees the
    # alert as still open, not closed and reopened.
    (tmp_path / "app.py").write_text("call()\n", encoding="utf-8")
    assert _fingerprints(tmp_path, [make_finding(path="app.py", line=1)]) == [first]


def test_fingerprint_falls_back_to_the_message_without_the_file(
    project: Path, make_finding: MakeFinding
) -> None:
    finding = make_finding(path="gone.py")
    at_six = _fingerprints(project, [finding])
    assert at_six == _fingerprints(project, [make_finding(path="gone.py", line=60)])
    assert at_six != _fingerprints(project, [make_finding(path="gone.py", message="other")])


def test_source_reader_is_used_for_fingerprints(project: Path, make_finding: MakeFinding) -> None:
    result = CheckResult(root=project, findings=[make_finding(line=1)])
    a = sarif(result, source=lambda _: ["x = 1"])
    b = sarif(result, source=lambda _: ["x = 2"])
    key = ("runs", 0, "results", 0, "partialFingerprints", FINGERPRINT_KEY)

    def pick(document: Any) -> str:
        for part in key:
            document = document[part]
        return document

    assert pick(a) != pick(b)


def test_fingerprint_ignores_indentation_and_spacing_only() -> None:
    base = fingerprint("SP101", "a.py", "requests.get(URL,  timeout=None)", 0)
    assert fingerprint("SP101", "a.py", "\t    requests.get(URL, timeout=None)  ", 0) == base
    assert fingerprint("SP101", "a.py", "requests.get(URL2, timeout=None)", 0) != base
    assert fingerprint("SP101", "a.py", "requests.get(URL,  timeout=None)", 1) != base
