"""Benchmark: cold CLI conversions, every format pair on 1 to 1,000 rules, the library floors, peak memory, targets.

Run: python bench/run.py [--repeat N] [--sizes 1,10,100,1000]. Figures are medians of N runs (HCL floors: at most 3).
The targets are issue 9's; cf2tf is timed when it is on PATH (pip install cf2tf).
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import converter
from converter import formats, loads, select, write
from converter.formats import cloudformation, terraform  # noqa: F401
from converter.terraform import syntax as terraform_syntax
from converter.model import (
    AccessControlTranslation,
    AndOperator,
    DeleteMarkerReplication,
    Destination,
    EncryptionConfiguration,
    Filter,
    Metrics,
    Minutes,
    ReplicationConfig,
    ReplicationTime,
    Rule,
    SourceSelectionCriteria,
    Tag,
    Toggle,
)

SIZES = (1, 10, 100, 1000)


def maximal(rules: int) -> ReplicationConfig:
    """A realistic configuration of N rules with every feature S3 accepts together."""
    def rule(i: int) -> Rule:
        return Rule(
            id=f"rule-{i:04d}-replicate-team-data", priority=i, status="Enabled",
            filter=Filter(and_=AndOperator(prefix=f"teams/{i:04d}/", tags=(Tag(key="class", value="replicate"),
                                                                              Tag(key="team", value=f"t{i}")))),
            source_selection_criteria=SourceSelectionCriteria(sse_kms_encrypted_objects=Toggle(status="Enabled"),
                                                              replica_modifications=Toggle(status="Enabled")),
            destination=Destination(
                bucket=f"arn:aws:s3:::replica-{i % 7}", account="444455556666", storage_class="STANDARD_IA",
                access_control_translation=AccessControlTranslation(owner="Destination"),
                encryption_configuration=EncryptionConfiguration(
                    replica_kms_key_id="arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
                replication_time=ReplicationTime(status="Enabled", time=Minutes(minutes=15)),
                metrics=Metrics(status="Enabled", event_threshold=Minutes(minutes=15))),
            delete_marker_replication=DeleteMarkerReplication(status="Disabled"))
    return ReplicationConfig(bucket="source-bucket", role="arn:aws:iam::111122223333:role/replication",
                             rules=tuple(rule(i) for i in range(rules)))


def median_time(fn, repeat: int) -> float:
    """Median seconds of fn over repeat runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory(fn) -> int:
    """Peak bytes allocated by fn (tracemalloc)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


HCL = {"terraform", "terraform-legacy"}  # the formats in HCL syntax (terraform-json is JSON)
BENCH = Path(__file__).resolve().parent
TYPER_APP = "floor: a one-command typer app (bench/floor_app.py)"
SAMPLES = BENCH.parent / "samples"


def quiet_write(configs, fmt):
    return write(configs, fmt, warn=lambda d: None, allow_lossy=True)


def fresh_read(text: str, fmt: str):
    cloudformation.parse.cache_clear()  # measure the parse, not the cache that spares re-reads for diagnostics
    terraform_syntax.cache_clear()
    return loads(text, fmt)


def cold_starts(repeat: int) -> dict[str, float]:
    """Whole-process times: s3repl convert of small files, and what the stack costs before any work."""
    # Compiled bytecode, as a pip install leaves it (with PYTHONDONTWRITEBYTECODE set, every run would recompile).
    compileall.compile_dir(str(Path(converter.__file__).parent), quiet=1)
    py, out = sys.executable, {}

    def run(name, cmd):
        out[name] = median_time(lambda: subprocess.run(cmd, capture_output=True), repeat)

    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.json"
        small.write_text(quiet_write([maximal(1)], "cli-json"))
        for target in formats.writable():
            run(f"s3repl convert: 1 rule cli-json -> {target}", [py, "-m", "converter", "convert", str(small), "--to", target,
                                                                 "--bucket", "source-bucket", "--allow-lossy"])
    template = SAMPLES / "cfn-references" / "template.yaml"
    run("s3repl convert: small template -> terraform", [py, "-m", "converter", "convert", str(template), "--to", "terraform"])
    run("floor: python -c pass", [py, "-c", "pass"])
    run('floor: python -c "import typer, pydantic"', [py, "-c", "import typer, pydantic"])
    run(TYPER_APP, [py, str(BENCH / "floor_app.py"), "convert", "x", "--to", "y"])
    cf2tf = shutil.which("cf2tf")
    if cf2tf:
        # cf2tf clones terraform-provider-aws from GitHub on first use (into $TMPDIR/terraform_src), then looks up each
        # resource's docs; its start-up alone is a lower bound on any conversion it does.
        run("cf2tf --help", [cf2tf, "--help"])
        if subprocess.run([cf2tf, str(template)], capture_output=True).returncode == 0:
            run("cf2tf: small template -> terraform", [cf2tf, str(template)])
    return out


def pair_times(sizes, repeat: int) -> tuple[dict, dict, dict]:
    """Seconds per (size, source, target), peak bytes per (source, target) at the largest size, and the texts."""
    names, times, memory, texts = formats.writable(), {}, {}, {}
    for size in sizes:
        config = maximal(size)
        texts[size] = {fmt: quiet_write([config], fmt) for fmt in names}
        for source in names:
            for target in names:
                def pair(source=source, target=target):
                    quiet_write(select(fresh_read(texts[size][source], source), "source-bucket"), target)
                times[size, source, target] = median_time(pair, repeat)
                if size == sizes[-1]:
                    memory[source, target] = peak_memory(pair)
    return times, memory, texts[sizes[-1]]


def floors(texts: dict, size: int, repeat: int) -> dict[str, float]:
    """The libraries on the same content: what s3repl reads and writes with, or instead of."""
    import cfn_flip
    import hcl2
    from defusedxml.ElementTree import fromstring

    config = maximal(size)
    slow = min(repeat, 3)
    data = hcl2.loads(texts["terraform"])
    template = cfn_flip.load_yaml(texts["cloudformation"])
    return {
        "json.loads (cli-json)": median_time(lambda: json.loads(texts["cli-json"]), repeat),
        "defusedxml fromstring (s3-xml)": median_time(lambda: fromstring(texts["s3-xml"]), repeat),
        "cfn-flip load_yaml": median_time(lambda: cfn_flip.load_yaml(texts["cloudformation"]), repeat),
        "cfn-flip dump_yaml": median_time(lambda: cfn_flip.dump_yaml(template), repeat),
        "hcl2.loads": median_time(lambda: hcl2.loads(texts["terraform"]), slow),
        "hcl2.dumps": median_time(lambda: hcl2.dumps(data), slow),
        "ours: read cloudformation (YAML)": median_time(lambda: fresh_read(texts["cloudformation"], "cloudformation"), repeat),
        "ours: read terraform (HCL)": median_time(lambda: fresh_read(texts["terraform"], "terraform"), slow),
        "ours: write terraform (HCL)": median_time(lambda: quiet_write([config], "terraform"), repeat),
        "ours: write cloudformation (YAML)": median_time(lambda: quiet_write([config], "cloudformation"), repeat),
    }


def table(rows: list[tuple], header: tuple) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    print()


def matrix(title: str, cell) -> None:
    names = formats.writable()
    print(f"{title} (rows: from, columns: to)")
    table([(s, *(cell(s, t) for t in names)) for s in names], ("", *names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="1,10,100,1000", help="rule counts; the largest gets memory, floors and "
                        "targets (issue 9 sets them for 1,000), the two largest the growth")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    ms = lambda seconds: f"{seconds * 1000:,.1f}"  # noqa: E731

    cold = cold_starts(args.repeat)
    print("Cold start, whole process (ms)")
    table([(name, ms(seconds)) for name, seconds in cold.items()], ("measure", "median ms"))

    times, memory, texts = pair_times(sizes, args.repeat)
    largest, before = sizes[-1], (sizes[-2] if len(sizes) > 1 else None)
    for size in sizes:
        matrix(f"{size} rules: read + write, in process (ms)", lambda s, t, size=size: ms(times[size, s, t]))
    matrix(f"{largest} rules: peak memory (MiB, tracemalloc)", lambda s, t: f"{memory[s, t] / 2**20:.1f}")
    if before:
        matrix(f"Growth: time({largest} rules) / time({before} rules), {largest / before:g} is linear",
               lambda s, t: f"{times[largest, s, t] / times[before, s, t]:.1f}")

    floor = floors(texts, largest, args.repeat)
    print(f"{largest} rules: the libraries on the same content (ms)")
    table([(name, ms(seconds)) for name, seconds in floor.items()], ("measure", "median ms"))

    pairs = [(s, t) for s in formats.writable() for t in formats.writable()]
    non_hcl = max((times[largest, s, t], f"{s} -> {t}") for s, t in pairs if s not in HCL and t not in HCL)
    cli = cold["s3repl convert: 1 rule cli-json -> s3-xml"]
    stack = cold['floor: python -c "import typer, pydantic"']
    rows = [
        ("cold cli-json -> s3-xml / import typer, pydantic", ms(cli), ms(stack), cli / stack, "<= 1.3"),
        ("cold cli-json -> s3-xml / one-command typer app", ms(cli), ms(cold[TYPER_APP]), cli / cold[TYPER_APP],
         "(the stack's own floor)"),
    ]
    ours = cold["s3repl convert: small template -> terraform"]
    for name in ("cf2tf: small template -> terraform", "cf2tf --help"):
        if name in cold:
            rows.append((f"cold small template -> terraform / {name}", ms(ours), ms(cold[name]), ours / cold[name], "< 1"))
    rows += [
        (f"slowest non-HCL pair, {largest} rules ({non_hcl[1]}) / 500 ms", ms(non_hcl[0]), "500.0", non_hcl[0] / 0.5, "< 1"),
        ("write HCL / hcl2.dumps", ms(floor["ours: write terraform (HCL)"]), ms(floor["hcl2.dumps"]),
         floor["ours: write terraform (HCL)"] / floor["hcl2.dumps"], "<= 0.1"),
        ("read CloudFormation YAML / cfn-flip load_yaml", ms(floor["ours: read cloudformation (YAML)"]),
         ms(floor["cfn-flip load_yaml"]), floor["ours: read cloudformation (YAML)"] / floor["cfn-flip load_yaml"], "<= 0.5"),
        ("read HCL / hcl2.loads", ms(floor["ours: read terraform (HCL)"]), ms(floor["hcl2.loads"]),
         floor["ours: read terraform (HCL)"] / floor["hcl2.loads"], "<= 1"),
    ]
    if before:
        growth = sorted((times[largest, s, t] / times[before, s, t], f"{s} -> {t}", times[largest, s, t]) for s, t in pairs)
        # A pair of a few ms at 100 rules is the noisiest ratio: the pairs that take 100 ms or more say more.
        big = max((g for g in growth if g[2] >= 0.1), default=None)
        limit = f"<= {1.2 * largest / before:g} ({largest / before:g} is linear)"
        rows += [(f"growth {before} -> {largest} rules, median of all pairs", "", "", growth[len(growth) // 2][0], limit),
                 (f"growth, largest of all ({growth[-1][1]})", "", "", growth[-1][0], limit)]
        if big:
            rows.append((f"growth, largest of pairs >= 100 ms ({big[1]})", "", "", big[0], limit))
    print("Targets (issue 9)")
    table([(name, a, b, f"{ratio:.2f}", target) for name, a, b, ratio, target in rows],
          ("measure", "ours ms", "floor ms", "ratio", "target"))


if __name__ == "__main__":
    main()
