"""A real git repository to record in, and the CLI to drive."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from stormproof.cli.main import cli


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with one committed file (``app.py``), and a manifest; the working
    directory for the test."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Ada")
    git(root, "config", "user.email", "ada@example.com")
    (root / "stormproof.yaml").write_text("version: 1\nname: demo\nservices: {}\n")
    (root / "app.py").write_text("import os\n\n\ndef main():\n    pass\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "init")
    (root / "prompt.txt").write_text("Add a health endpoint\nwith details\n")
    (root / "response.md").write_text("Here is the code.\n")
    monkeypatch.chdir(root)
    return root


def audit(*args: str) -> Result:
    """``stormproof audit ARGS`` in the working directory."""
    return CliRunner().invoke(cli, ["audit", *args], catch_exceptions=False, env=dict(os.environ))


def record(*paths: str, model: str = "model-1", prompt: str = "prompt.txt") -> Result:
    return audit("record", "--prompt", prompt, "--response", "response.md", "--model", model,
                 "--", *paths)  # fmt: skip


def checkpoint(*paths: str, author: str | None = None) -> Result:
    """``stormproof audit checkpoint [--author AUTHOR] -- PATHS``."""
    options = [] if author is None else ["--author", author]
    return audit("checkpoint", *options, "--", *paths)
