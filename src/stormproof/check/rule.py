"""The rule contract: metadata that documents a rule, and the hooks that run it.

A rule is a small class. Its class attributes are its page (`stormproof rules
SP101`), its hooks yield findings. File rules see one parsed file at a time and
can run in any worker process; project rules run once, after every file, over
the facts all files exported (for rules that need the whole system, such as a
handler that is retried by a caller in another service).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from stormproof.check.finding import Category, Finding, Severity

if TYPE_CHECKING:
    from stormproof.check.context import FileContext, ProjectContext


class Rule:
    id: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[Category]
    severity: ClassVar[Severity] = "error"
    #: One line: what the rule catches.
    summary: ClassVar[str]
    #: Why it matters: the failure it leads to in production.
    why: ClassVar[str]
    #: A bad example and its fixed counterpart (Python source).
    bad: ClassVar[str]
    good: ClassVar[str]
    #: The library defaults that make this a trap, for the rule page.
    defaults: ClassVar[str] = ""
    #: The default `fix` text of a finding.
    fix: ClassVar[str]
    #: How often a finding is right (SARIF `precision`: very-high, high, medium, low).
    precision: ClassVar[str] = "high"
    #: The manifest policy that turns the rule off (`policies: {timeouts: off}`).
    policy: ClassVar[str | None] = None

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        return ()

    def collect(self, ctx: FileContext) -> object:
        """Facts this rule's project pass needs from one file (JSON-serialisable), or None.

        Collected facts are cached with the file, so `check_project` sees every
        file's facts even when the file itself was not re-analysed.
        """
        return None

    def check_project(self, project: ProjectContext) -> Iterable[Finding]:
        return ()

    @classmethod
    def page(cls) -> dict[str, str]:
        """The rule's documentation page as plain data."""
        return {
            "id": cls.id,
            "name": cls.name,
            "category": cls.category,
            "severity": cls.severity,
            "summary": cls.summary,
            "why": cls.why,
            "bad": cls.bad,
            "good": cls.good,
            "defaults": cls.defaults,
            "fix": cls.fix,
        }
