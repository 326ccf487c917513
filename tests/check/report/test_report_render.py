from __future__ import annotations

import pytest

from stormproof.check.report import FORMATS, UnknownFormatError, render
from stormproof.check.result import CheckResult


def test_formats_are_the_design_ones() -> None:
    assert FORMATS == ("text", "json", "sarif", "github")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_a_full_result(full_result: CheckResult, fmt: str) -> None:
    out = render(full_result, fmt)
    assert out.endswith("\n")
    assert "SP101" in out


def test_unknown_format_is_a_one_line_error(full_result: CheckResult) -> None:
    with pytest.raises(UnknownFormatError, match=r"unknown format 'xml'; use one of: text, json"):
        render(full_result, "xml")
