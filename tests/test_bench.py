"""The benchmark keeps running: a small run prints every section and a row for each of issue 18's targets."""

from __future__ import annotations

import re
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
