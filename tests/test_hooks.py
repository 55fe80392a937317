"""The pre-commit hooks, run the way a user's repository runs them: pre-commit try-repo on a temporary repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

VALID = (ROOT / "samples" / "two-destinations" / "cli-json.json").read_text()
INVALID = VALID.replace('"Status": "Disabled"', '"Status": "Enabled"')  # delete markers with a tag filter: E110


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A copy of this repository with its work tree committed, as pre-commit try-repo needs."""
    if not shutil.which("git"):
        pytest.fail("git is needed to run the pre-commit hooks")
    copy = tmp_path_factory.mktemp("hooks") / "s3repl"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "node_modules", ".git", "__pycache__", "*.egg-info",
                                                               ".hypothesis", ".pytest_cache"))
    git("init", "-q", cwd=copy)
    git("add", "-A", cwd=copy)
    git("commit", "-qm", "hooks", cwd=copy)
    return copy


def try_repo(hook_repo: Path, user: Path, hook: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook, "--all-files", *extra],
                          cwd=user, capture_output=True, text=True,
                          env={**os.environ, "PRE_COMMIT_HOME": str(hook_repo.parent / "cache")})


def test_validate_hook_fails_on_an_invalid_file_and_skips_others(hook_repo, tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "replication.json").write_text(INVALID)
    (user / "workflow.yaml").write_text("on: push\njobs: {}\n")  # YAML without a replication configuration
    git("init", "-q", cwd=user)
    git("add", "-A", cwd=user)
    failing = try_repo(hook_repo, user, "s3repl-validate")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "E110" in failing.stdout and "workflow.yaml" not in failing.stdout
    (user / "replication.json").write_text(VALID)
    git("add", "-A", cwd=user)
    passing = try_repo(hook_repo, user, "s3repl-validate")
    assert passing.returncode == 0, passing.stdout + passing.stderr


def test_diff_hook(hook_repo, tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "live.json").write_text(VALID)
    (user / "main.tf").write_text((ROOT / "samples" / "two-destinations" / "main.tf").read_text())
    (user / "other.json").write_text((ROOT / "samples" / "rtc-metrics" / "cli-json.json").read_text())
    git("init", "-q", cwd=user)
    git("add", "-A", cwd=user)
    config = user / "config.yaml"
    for other, code in (("main.tf", 0), ("other.json", 1)):
        config.write_text(f"repos:\n  - repo: {hook_repo}\n    rev: HEAD\n    hooks:\n"
                          f"      - id: s3repl-diff\n        args: [live.json, {other}]\n")
        result = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "-c", str(config)],
                                cwd=user, capture_output=True, text=True,
                                env={**os.environ, "PRE_COMMIT_HOME": str(hook_repo.parent / "cache")})
        assert result.returncode == code, result.stdout + result.stderr
