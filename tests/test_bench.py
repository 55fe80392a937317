"""The benchmark keeps running: a small run prints every section and a row for each of issue 18's targets."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from conftest import ROOT


def test_a_small_benchmark_run_prints_every_section():
    # 2 rules in one configuration, and 20 as 4 configurations of 5 (one template, a directory of 4 .tf files).
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "2,20", "--limit", "6",
                          "--per-document", "5", "--repeat", "1"], capture_output=True, text=True, timeout=600, check=True)
    for heading in ("Cold start, whole process", "Whole s3repl convert processes", "Floors and other commands",
                    "20 rules: read + write, in process", "peak memory", "Growth in process",
                    "the libraries on the same content", "Validation", "A Terraform directory of 4 files", "Targets (issue 18)"):
        assert heading in run.stdout, heading
    targets = run.stdout.split("Targets (issue 18)")[1]
    for measure in ("cli-json -> s3-xml, whole process / stdlib floor process", "cli-json -> terraform, whole process / "
                    "hcl2.dumps", "Terraform read, in process / hcl2.loads", "with validation / --no-validate",
                    "one finding each / none: s3repl validate", "per-rule cost growth, worst pair in process",
                    "per-rule cost growth, worst whole process", "s3repl iam / s3repl convert",
                    "Terraform directory of 4 files / its files one by one", "one-command typer app"):
        line = next((line for line in targets.splitlines() if measure in line), None)
        assert line and re.search(r"\d\.\d\d\s+<= [\d.]+\s+(met|NOT MET)$", line), (measure, line)
    # the whole-process table has the 20-rule column for the formats that hold several configurations
    whole = run.stdout.split("Whole s3repl convert processes")[1].split("\n\n")[0]
    assert re.search(r"cloudformation -> cli-json\s+[\d,.]+\s+[\d,.]+", whole)
    assert re.search(r"terraform-directory -> cloudformation\s+[\d,.]+", whole)


def test_instruction_counts_print_a_per_rule_figure_and_its_growth():
    # valgrind is on the machines here; where it is not, the script says what is missing instead of failing obscurely
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "instructions.py"), "--sizes", "10,20", "--pairs",
                          "model:model"], capture_output=True, text=True, timeout=600)
    if shutil.which("valgrind") is None:
        assert run.returncode == 1 and "valgrind is not on PATH" in run.stderr
        return
    assert run.returncode == 0, run.stderr
    row = re.search(r"model -> model\s+([\d,.]+)\s+([\d,.]+)\s+(\d\.\d\d) \(10-20\)", run.stdout)
    assert row, run.stdout
    per_rule = [float(v.replace(",", "")) for v in row.groups()[:2]]
    assert all(v > 50 for v in per_rule)  # thousands of instructions per rule: a read and a write were counted
    assert 0.5 < float(row.group(3)) < 2
