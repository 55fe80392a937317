"""docs/cookbook.md and the README's Python example: every command on the page runs and prints what the page shows."""

from __future__ import annotations

import doctest
import json
import os
import re
import shlex

import pytest
from conftest import ROOT, put_live

BLOCK = re.compile(r"```console\n\$ (?P<command>s3repl [^\n]+)\n(?P<output>.*?)```\n\n(?:\(exit (?P<code>\d)\)\n)?", re.S)
PAGE = (ROOT / "docs" / "cookbook.md").read_text()
EXAMPLES = [(m["command"], m["output"], int(m["code"] or 0)) for m in BLOCK.finditer(PAGE)]
# The live buckets the pages' s3:// commands read, held by the S3 emulator (tests/emulator.py), and their configuration.
LIVE = {"two-destinations-source": "samples/two-destinations/cli-json.json",
        "rtc-metrics-source": "docs/examples/rtc-metrics-console-edit.json"}


def _live_buckets(command: str, request) -> None:
    """For a command reading s3://: the emulator holding LIVE (and a bucket without replication), AWS pointed at it."""
    if "s3://" not in command:
        return
    s3 = request.getfixturevalue("live_aws")
    for bucket, path in LIVE.items():
        put_live(s3, bucket, json.loads((ROOT / path).read_text()))
    s3.create_bucket(Bucket="plain-bucket")


def test_the_cookbook_has_the_four_journeys():
    assert [line for line in PAGE.splitlines() if line.startswith("## ")] == [
        "## 1. A console export becomes Terraform, with its IAM role",
        "## 2. Terraform: the provider v3 inline block becomes the v4 resource",
        "## 3. A whole CloudFormation template becomes Terraform",
        "## 4. Is the Terraform the same as what is live?"]
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("command,output,code", EXAMPLES, ids=[e[0][:60] for e in EXAMPLES])
def test_every_cookbook_command_prints_what_the_page_shows(cli, command, output, code, monkeypatch, request):
    monkeypatch.chdir(ROOT)
    _live_buckets(command, request)
    result = cli(*shlex.split(command)[1:])
    assert result.exit_code == code, result.stderr
    assert result.stdout == output


def test_the_readme_python_example_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", readme, re.S)
    examples = doctest.DocTestParser().get_examples(code)
    assert examples, "the README's Python example is written as a doctest (>>> lines)"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    test = doctest.DocTest(examples, {}, "README", "README.md", 0, code)
    result = runner.run(test, out=lambda text: None)
    assert result.failed == 0 and result.attempted == len(examples)
    assert os.getcwd() == str(ROOT)


README_BLOCKS = re.compile(r"```console\n\$ (?P<command>s3repl [^\n]+)\n(?P<output>.*?)```", re.S)
README = [(m["command"], m["output"]) for m in README_BLOCKS.finditer((ROOT / "README.md").read_text())]


@pytest.mark.parametrize("command,output", README, ids=[c[:60] for c, _ in README])
def test_every_readme_command_prints_what_the_readme_shows(cli, command, output, monkeypatch, request):
    monkeypatch.chdir(ROOT)
    _live_buckets(command, request)
    result = cli(*shlex.split(command)[1:])
    assert (result.stdout or result.stderr) == output
