"""`stormproof check`: static analysis of Python services against failure-mode rules.

from stormproof.check import run_check, CheckOptions
result = run_check([Path("examples/travel/naive")], CheckOptions(select=["timeout"]))
for finding in result.findings:
    print(finding.path, finding.line, finding.rule, finding.message)
"""

from stormproof.check.engine import CheckError, CheckOptions, run_check
from stormproof.check.finding import CATEGORIES, Finding
from stormproof.check.result import CheckResult, Diagnostic
from stormproof.check.rule import Rule

__all__ = [
    "CATEGORIES",
    "CheckError",
    "CheckOptions",
    "CheckResult",
    "Diagnostic",
    "Finding",
    "Rule",
    "run_check",
]
