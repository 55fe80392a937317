"""Per-rule growth counted in instructions (valgrind's callgrind), not seconds: linear in rules or not, whatever the
machine's caches do.

On the shared machines here a conversion's time per rule grows with size even where its work does not: json.loads of
the same text costs 1.6-3x more per rule at 5,000 rules than at 100 (page faults, cache misses). Instructions are
counted the same on every run, so their growth is s3repl's own.

Run: python bench/instructions.py [--sizes 100,1000,5000] [--pairs model:model,cli-json:s3-xml,...]. Each figure is one
process under callgrind (about 50x slower than alone): one that reads and writes the pair once after warming up on 100
rules, less one that only warms up.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PAIRS = "model:model,cli-json:s3-xml,cli-json:terraform,cloudformation:cli-json,json.loads:model"


def read_as(source: str) -> str:
    """The format of the text a pair reads (json.loads reads the model's)."""
    return "model" if source == "json.loads" else source


def child(folder: Path, size: int, source: str, target: str, measured: bool) -> None:
    """Under callgrind: warm up on 100 rules (imports, caches), read size rules' text, then read and write it once
    (when measured: the process that is not measured does all but that)."""
    sys.path.insert(0, str(Path(__file__).parent))
    import run

    def pair(text: str, size: int) -> None:
        if source == "json.loads":  # the machine's own floor: the stdlib building as many objects from the same text
            json.loads(text)
            return
        read = run.fresh_read(text, source)
        run.quiet_write(run.select(read, "source-bucket") if size <= run.LIMIT else read, target)

    kind = read_as(source)
    for _ in range(2):
        pair((folder / f"100.{kind}").read_text(), 100)
    text = (folder / f"{size}.{kind}").read_text()
    run.settled()
    if measured:
        pair(text, size)


def counted(folder: Path, size: int, source: str, target: str, measured: bool) -> int:
    """Instructions of one child process (callgrind's total)."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
               "--child", str(folder), str(size), source, target, str(int(measured))]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONHASHSEED": "0"})  # the same dict and set layouts in every process
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,5000", help="a format that cannot hold a size in one "
                        "document (cli-json, s3-xml over 1,000 rules) is counted at the others")
    parser.add_argument("--pairs", default=PAIRS, help="source:target,... (json.loads:model is the stdlib's floor)")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        folder, size, source, target, measured = args.child
        return child(Path(folder), int(size), source, target, measured == "1")
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not on PATH (Debian: apt-get install valgrind)")
    sys.path.insert(0, str(Path(__file__).parent))
    import run

    sizes = [int(s) for s in args.sizes.split(",")]
    pairs = [tuple(p.split(":")) for p in args.pairs.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="s3repl-instructions-"))
    try:
        kinds = {read_as(s) for s, _ in pairs}
        held = set()  # (size, format): the texts a format holds in one document (cli-json: one configuration)
        for size in {100, *sizes}:
            configs = run.configurations(size)
            for kind in kinds:
                if run.readable(kind, text := run.quiet_write(configs, kind)):
                    (folder / f"{size}.{kind}").write_text(text)
                    held.add((size, kind))
        pairs = {(s, t): [n for n in sizes if (n, read_as(s)) in held] for s, t in pairs}
        jobs = [(size, s, t, measured) for (s, t), held_sizes in pairs.items() for size in held_sizes
                for measured in (False, True)]
        with ThreadPoolExecutor(2) as pool:  # the machines here have two cores
            totals = dict(zip(jobs, pool.map(lambda job: counted(folder, *job), jobs)))
    finally:
        shutil.rmtree(folder)
    rows = []
    for (s, t), held_sizes in pairs.items():
        per_rule = {size: (totals[size, s, t, True] - totals[size, s, t, False]) / size for size in held_sizes}
        growth = per_rule[held_sizes[-1]] / per_rule[held_sizes[0]] if len(held_sizes) > 1 else None
        rows.append((f"{s} -> {t}", *(f"{per_rule[n] / 1000:,.1f}" if n in per_rule else "" for n in sizes),
                     "" if growth is None else f"{growth:.2f} ({held_sizes[0]}-{held_sizes[-1]})"))
    run.table(rows, ("pair", *(f"k instr/rule at {size}" for size in sizes), "growth"))


if __name__ == "__main__":
    main()
