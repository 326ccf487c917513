"""The labeled corpus: mini projects whose lines say which findings they must produce.

A case is a directory `tests/corpus/<category>/<case>/`. A trailing
`# expect: SP101, SP301` comment marks a line where findings are expected; every
other line of a case must produce no finding of the case's category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from stormproof.check import CheckOptions, run_check
from stormproof.check.rules import ALL_RULES

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>SP\d+(?:\s*,\s*SP\d+)*)")

Label = tuple[str, int, str]  # (path relative to the case, line, rule id)


@dataclass(frozen=True)
class Case:
    category: str
    path: Path

    @property
    def id(self) -> str:
        return f"{self.category}/{self.path.name}"

    @property
    def rule_ids(self) -> set[str]:
        return {r.id for r in ALL_RULES if r.category == self.category}

    def expected(self) -> set[Label]:
        labels: set[Label] = set()
        for file in sorted(self.path.rglob("*")):
            if file.suffix not in (".py", ".yaml", ".yml") or not file.is_file():
                continue
            text = file.read_text(encoding="utf-8")
            for number, line in enumerate(text.splitlines(), start=1):
                match = _EXPECT.search(line)
                if match is None:
                    continue
                for code in match.group("codes").split(","):
                    code = code.strip()
                    if code in self.rule_ids or not self.rule_ids:
                        labels.add((file.relative_to(self.path).as_posix(), number, code))
        return {label for label in labels if label[2] in self.rule_ids}

    def actual(self) -> set[Label]:
        manifest = self.path / "stormproof.yaml"
        options = CheckOptions(
            manifest=manifest if manifest.exists() else None,
            use_manifest=manifest.exists(),
            select=[self.category],
            cache=False,
            jobs=1,
        )
        result = run_check([self.path], options)
        root = result.root
        labels = set()
        for finding in result.findings:
            relative = (root / finding.path).resolve().relative_to(self.path.resolve())
            labels.add((relative.as_posix(), finding.line, finding.rule))
        return labels


def cases() -> list[Case]:
    found = []
    if not CORPUS.is_dir():
        return found
    for category_dir in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        for case_dir in sorted(p for p in category_dir.iterdir() if p.is_dir()):
            found.append(Case(category_dir.name, case_dir))
    return found
