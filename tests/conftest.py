"""Shared fixtures: the samples table and a CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter import loads
from converter.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p for p in (ROOT / "samples").iterdir() if p.is_dir())
# Every file a sample folder may hold, and the format it is in.
FORMAT_OF = {"cli-json.json": "cli-json", "cli-json.yaml": "cli-json", "s3-xml.xml": "s3-xml", "model.json": "model",
             "cloudformation.yaml": "cloudformation", "cloudformation.json": "cloudformation-json",
             "template.yaml": "cloudformation", "template.json": "cloudformation"}
# Files written by hand in a sample (read, never reproduced by a writer).
HANDWRITTEN = {"cli-json.yaml", "template.yaml", "template.json"}


def sample_files():
    """(sample folder, file, format) for every sample file."""
    return [(s, s / name, fmt) for s in SAMPLES for name, fmt in FORMAT_OF.items() if (s / name).exists()]


def expected(sample: Path):
    """The canonical model of a sample, from its model.json."""
    return loads((sample / "model.json").read_text(encoding="utf-8"), "model")


def without_origin(configs):
    """Configurations without their provenance (a logical ID or resource address), which formats rename."""
    return [c.model_copy(update={"origin": None}) for c in configs]


def json_shape(path: Path) -> str:
    """The shape a CLI JSON sample is written in."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return "cli-input" if "Bucket" in data else "wrapped" if "ReplicationConfiguration" in data else "bare"


@pytest.fixture
def cli():
    """Run s3repl in-process; returns the click Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return run
