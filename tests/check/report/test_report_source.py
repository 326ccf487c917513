from __future__ import annotations

from pathlib import Path

import pytest

from stormproof.check.report.source import decode_source, read_source_from, split_lines


def test_split_lines_counts_lines_as_python_does() -> None:
    # A form feed or U+2028 is not a line break for Python's line numbers.
    assert split_lines("a\x0cb\u2028c\r\nd\re\n") == ["a\x0cb\u2028c", "d", "e"]
    assert split_lines("") == []
    assert split_lines("x\n\n") == ["x", ""]


def test_decode_honours_coding_cookie_and_bom() -> None:
    latin = "# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1")
    assert "café" in decode_source(latin)
    assert decode_source("x = 1\n".encode("utf-8-sig")) == "x = 1\n"


def test_decode_never_fails() -> None:
    assert decode_source(b"# coding: no-such-codec\nx = 1\n").endswith("x = 1\n")
    assert decode_source(b"x = '\xff'\n") == "x = '\ufffd'\n"


def test_reader_reads_relative_posix_paths(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("one\ntwo\n", encoding="utf-8")
    assert read_source_from(tmp_path)("pkg/m.py") == ["one", "two"]


@pytest.mark.parametrize("path", ["missing.py", "pkg", "../outside.py", "/etc/passwd", "a\0b"])
def test_reader_returns_none_for_what_it_cannot_or_must_not_read(tmp_path: Path, path: str) -> None:
    root = tmp_path / "root"
    (root / "pkg").mkdir(parents=True)
    (tmp_path / "outside.py").write_text("secret\n", encoding="utf-8")
    assert read_source_from(root)(path) is None


def test_reader_caches_each_file(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("first\n", encoding="utf-8")
    read = read_source_from(tmp_path)
    assert read("m.py") == ["first"]
    (tmp_path / "m.py").write_text("second\n", encoding="utf-8")
    assert read("m.py") == ["first"]
