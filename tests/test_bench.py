"""The benchmark keeps running: a small run prints every section and a target for each of issue 9's figures."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_a_small_benchmark_run_prints_every_section():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "1,10", "--repeat", "1"],
                         capture_output=True, text=True, timeout=300, check=True)
    for heading in ("Cold start, whole process", "10 rules: read + write", "peak memory", "Growth: time(10 rules)",
                    "the libraries on the same content", "Targets (issue 9)"):
        assert heading in run.stdout, heading
    targets = run.stdout.split("Targets (issue 9)")[1]
    for measure in ("import typer, pydantic", "one-command typer app", "slowest non-HCL pair", "write HCL / hcl2.dumps",
                    "read CloudFormation YAML / cfn-flip load_yaml", "read HCL / hcl2.loads", "growth 1 -> 10 rules"):
        assert measure in targets, measure
