"""Benchmark: s3repl as users run it (whole processes, validation on) beside in-process figures, each with its floor.

Run: python bench/run.py [--repeat N] [--sizes 100,1000,5000]. Every figure is the minimum of N runs (this machine is
shared: the minimum is the figure least disturbed by the others). Sizes over 1,000 rules (S3's limit for one
configuration) are configurations of 100 rules in one document (one template, one model file) or one directory (50
`.tf` files). The targets are issue 18's; cf2tf is timed when it is on PATH (pip install cf2tf).
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import converter
from converter import formats, loads, read_located, select, write
from converter.formats import cloudformation
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
from converter.terraform import syntax as terraform_syntax

BENCH = Path(__file__).resolve().parent
SAMPLES = BENCH.parent / "samples"
HCL = {"terraform", "terraform-legacy"}  # the formats in HCL syntax (terraform-json is JSON)
LIMIT = 1000  # S3's rules per configuration: a larger size is several configurations (--limit, for a quick run)
PER_DOCUMENT = 100  # rules per configuration then (--per-document)
LOSSY = {"terraform-legacy": ["--allow-lossy"]}  # provider v3 cannot hold ReplicaModifications: the only non-default
TYPER_APP = "floor: a one-command typer app (bench/floor_app.py)"
KMS = "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def maximal(rules: int, bucket: str = "source-bucket", storage_class: str = "STANDARD_IA") -> ReplicationConfig:
    """A realistic configuration of N rules with every feature S3 accepts together."""
    def rule(i: int) -> Rule:
        return Rule(
            id=f"rule-{i:04d}-replicate-team-data", priority=i, status="Enabled",
            filter=Filter(and_=AndOperator(prefix=f"teams/{i:04d}/", tags=(Tag(key="class", value="replicate"),
                                                                              Tag(key="team", value=f"t{i}")))),
            source_selection_criteria=SourceSelectionCriteria(sse_kms_encrypted_objects=Toggle(status="Enabled"),
                                                              replica_modifications=Toggle(status="Enabled")),
            destination=Destination(
                bucket=f"arn:aws:s3:::replica-{i % 7}", account="444455556666", storage_class=storage_class,
                access_control_translation=AccessControlTranslation(owner="Destination"),
                encryption_configuration=EncryptionConfiguration(replica_kms_key_id=KMS),
                replication_time=ReplicationTime(status="Enabled", time=Minutes(minutes=15)),
                metrics=Metrics(status="Enabled", event_threshold=Minutes(minutes=15))),
            delete_marker_replication=DeleteMarkerReplication(status="Disabled"))
    return ReplicationConfig(bucket=bucket, role="arn:aws:iam::111122223333:role/replication",
                             rules=tuple(rule(i) for i in range(rules)))


def configurations(size: int) -> list[ReplicationConfig]:
    """size rules: one configuration up to LIMIT rules, else configurations of PER_DOCUMENT rules on as many buckets."""
    if size <= LIMIT:
        return [maximal(size)]
    return [maximal(PER_DOCUMENT, f"source-{k:02d}") for k in range(size // PER_DOCUMENT)]


def best_time(fn, repeat: int, least: float = 0.0) -> float:
    """The least seconds fn took in repeat runs; a run shorter than least seconds is repeated that long and averaged
    (a timing of a millisecond is mostly noise)."""
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    loops = max(1, int(least / first) + 1) if first < least else 1
    times = [first] if loops == 1 else []
    for _ in range(repeat - len(times)):
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        times.append((time.perf_counter() - start) / loops)
    return min(times)


def process_time(cmd: list[str], repeat: int) -> float:
    """The least seconds a whole process took; it must succeed (exit 0, or 1 for validate's findings)."""
    def run():
        done = subprocess.run(cmd, capture_output=True)
        if done.returncode not in (0, 1) or (done.returncode == 1 and cmd[1:2] != ["validate"]):
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return best_time(run, repeat)


def settled() -> None:
    """The benchmark's own objects (inputs, earlier results) frozen: a collection during an in-process figure walks only
    what the measured call builds, as in a program that has just started."""
    gc.collect()
    gc.freeze()


def peak_memory(fn) -> int:
    """Peak bytes allocated by fn (tracemalloc)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def quiet_write(configs, fmt):
    return write(configs, fmt, warn=lambda d: None, allow_lossy=True)


def fresh_read(text: str, fmt: str):
    cloudformation.parse.cache_clear()  # measure the parse, not the cache that spares re-reads for diagnostics
    terraform_syntax.cache_clear()
    return loads(text, fmt)


def s3repl() -> list[str]:
    """The console script users run (beside this Python), or python -m converter when it is not installed."""
    script = Path(sys.executable).with_name("s3repl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "converter"]


def readable(fmt: str, text) -> bool:
    """Whether s3repl reads this text (one HCL file is refused over its size bound: a directory of files is the case)."""
    return isinstance(text, str) and not (fmt in HCL and len(text) > terraform_syntax.MAX_HCL_BYTES)


def write_inputs(sizes, folder: Path) -> dict:
    """(size, format) -> a file of size rules in that format (a directory of .tf files for terraform over 1,000)."""
    files = {}
    for size in sizes:
        configs = configurations(size)
        for fmt in formats.writable():
            text = quiet_write(configs, fmt)
            extension = converter.grammar.load(fmt).extensions[0]
            if readable(fmt, text):
                files[size, fmt] = folder / f"{size}-{fmt}{extension}"
                files[size, fmt].write_text(text)
            if fmt == "terraform" and len(configs) > 1:  # a module of one file per bucket
                directory = folder / f"{size}-terraform-directory"
                directory.mkdir()
                for k, config in enumerate(configs):
                    (directory / f"bucket-{k:02d}.tf").write_text(quiet_write([config], fmt))
                files[size, "terraform-directory"] = directory
    return files


def cold_starts(repeat: int, folder: Path) -> dict[str, float]:
    """Whole-process times: s3repl convert of small files, and what the stack costs before any work."""
    # Compiled bytecode, as a pip install leaves it (with PYTHONDONTWRITEBYTECODE set, every run would recompile).
    compileall.compile_dir(str(Path(converter.__file__).parent), quiet=1)
    py, out, cli = sys.executable, {}, s3repl()
    small = folder / "small.json"
    small.write_text(quiet_write([maximal(1)], "cli-json"))
    for target in formats.writable():
        out[f"s3repl convert: 1 rule cli-json -> {target}"] = process_time(
            [*cli, "convert", str(small), "--to", target, "--bucket", "source-bucket", *LOSSY.get(target, [])], repeat)
    template = SAMPLES / "cfn-references" / "template.yaml"
    out["s3repl convert: small template -> terraform"] = process_time([*cli, "convert", str(template), "--to", "terraform"], repeat)
    out["floor: python -c pass"] = process_time([py, "-c", "pass"], repeat)
    out['floor: python -c "import typer, pydantic"'] = process_time([py, "-c", "import typer, pydantic"], repeat)
    out[TYPER_APP] = process_time([py, str(BENCH / "floor_app.py"), "convert", "x", "--to", "y"], repeat)
    cf2tf = shutil.which("cf2tf")
    if cf2tf and subprocess.run([cf2tf, str(template)], capture_output=True).returncode == 0:
        # cf2tf clones terraform-provider-aws from GitHub on first use (into $TMPDIR/terraform_src).
        out["cf2tf: small template -> terraform"] = process_time([cf2tf, str(template)], repeat)
    return out


def convert_command(files: dict, size: int, source: str, target: str, folder: Path) -> list[str]:
    """s3repl convert as a user types it: one configuration named by --bucket, or several written to a directory."""
    command = [*s3repl(), "convert", str(files[size, source]), "--to", target, *LOSSY.get(target, [])]
    if size <= LIMIT:
        return command + ["--bucket", "source-bucket"]
    if formats.module(target).MULTI:
        return command
    out = folder / f"out-{size}-{source}-{target}"
    out.mkdir(exist_ok=True)
    return command + ["-o", str(out), "--force"]


def whole_processes(sizes, files: dict, repeat: int, folder: Path) -> dict:
    """Whole s3repl processes with default options at each size, and their floors in the same run."""
    cli, py, out = s3repl(), sys.executable, {}
    for size in sizes:
        for source, target in PROCESS_PAIRS:
            if (size, source) in files:
                slow = 1 if {source, target} & HCL and size >= 1000 else repeat  # HCL at 1,000 rules takes seconds
                out["convert", size, source, target] = process_time(convert_command(files, size, source, target, folder), slow)
        if (size, "terraform-directory") in files:
            out["convert", size, "terraform-directory", "cloudformation"] = process_time(
                convert_command(files, size, "terraform-directory", "cloudformation", folder), 1)
    single = max(s for s in sizes if s <= LIMIT)
    json_file, many = str(files[single, "cli-json"]), max(repeat, 10)  # the ratio of two close figures: more runs
    out["validate", single] = process_time([*cli, "convert", json_file, "--to", "s3-xml"], many)
    out["no-validate", single] = process_time([*cli, "convert", json_file, "--to", "s3-xml", "--no-validate"], many)
    out["floor-stdlib", single] = process_time([py, str(BENCH / "floor_stdlib.py"), json_file], repeat)
    out["iam", single] = process_time([*cli, "iam", json_file, "--to", "json", "--bucket", "source-bucket",
                                       "--source-kms-key", KMS], repeat)
    return out


# Whole processes: everything read into cli-json and cli-json written as everything (with validation, as users run).
PROCESS_PAIRS = [(s, "cli-json") for s in formats.writable()] + [("cli-json", t) for t in formats.writable() if t != "cli-json"]


def pair_times(sizes, repeat: int) -> tuple[dict, dict, dict]:
    """In process: seconds per (size, source, target), peak bytes per pair at 1,000 rules (or below), the texts."""
    names, times, memory, texts = formats.writable(), {}, {}, {}
    single = max(s for s in sizes if s <= LIMIT)
    for size in sizes:
        configs = configurations(size)
        texts[size] = {fmt: text for fmt in names if readable(fmt, text := quiet_write(configs, fmt))}
        settled()
        # The machine's own growth: json.loads of the model text builds as many objects, and its per-rule cost grows
        # too once they no longer fit the processor's caches.
        times[size, "json.loads", "model"] = best_time(lambda size=size: json.loads(texts[size]["model"]), repeat, least=0.05)
        for source in texts[size]:
            for target in names:
                def pair(source=source, target=target, size=size):
                    read = fresh_read(texts[size][source], source)
                    quiet_write(select(read, "source-bucket") if size <= LIMIT else read, target)
                times[size, source, target] = best_time(pair, 1 if source in HCL and size > 100 else repeat, least=0.05)
                if size == single:
                    memory[source, target] = peak_memory(pair)
    return times, memory, texts[single]


def floors(files: dict, texts: dict, size: int, repeat: int) -> dict[str, float]:
    """The libraries on the same content, each in a fresh process (bench/floor_libs.py), and ours in process."""
    config, slow = maximal(size), min(repeat, 2)

    def alone(measure: str, fmt: str, runs: int) -> float:
        done = subprocess.run([sys.executable, str(BENCH / "floor_libs.py"), measure, str(files[size, fmt]), str(runs)],
                              capture_output=True, text=True, check=True)
        return float(done.stdout)

    return {
        "json.loads (cli-json)": alone("json.loads", "cli-json", repeat),
        "defusedxml fromstring (s3-xml)": alone("defusedxml fromstring", "s3-xml", repeat),
        "cfn-flip load_yaml": alone("cfn-flip load_yaml", "cloudformation", repeat),
        "cfn-flip dump_yaml": alone("cfn-flip dump_yaml", "cloudformation", repeat),
        "hcl2.loads": alone("hcl2.loads", "terraform", slow),
        "hcl2.dumps": alone("hcl2.dumps", "terraform", slow),
        "ours: read cloudformation (YAML)": best_time(lambda: fresh_read(texts["cloudformation"], "cloudformation"), repeat),
        "ours: read terraform (HCL)": best_time(lambda: fresh_read(texts["terraform"], "terraform"), slow),
        "ours: write terraform (HCL)": best_time(lambda: quiet_write([config], "terraform"), repeat),
        "ours: write cloudformation (YAML)": best_time(lambda: quiet_write([config], "cloudformation"), repeat),
    }


def validation(size: int, repeat: int, files: dict, folder: Path) -> dict[str, float]:
    """Validation in process and as `s3repl validate`: size rules, and 100 rules without findings and with one each."""
    from converter import located_findings
    from converter.sources import source_map

    def check(path):
        source_map.cache_clear()
        return [f for item in read_located(path) for f in located_findings(item)]

    def validated(item):
        source_map.cache_clear()
        return located_findings(item)

    # What validation adds is timed on its own, beside the conversion it is part of: a difference of two timings that
    # both read the file would carry the noise of both reads.
    many, (item,) = max(repeat, 30), read_located(files[size, "cli-json"])  # runs of milliseconds: the least of many
    text = files[size, "cli-json"].read_text()
    out = {"in process: validate (what read_located read)": best_time(lambda: validated(item), many),
           "in process: cli-json -> s3-xml conversion": best_time(
               lambda: quiet_write(select(fresh_read(text, "cli-json"), "source-bucket"), "s3-xml"), repeat)}
    for label, storage_class in (("no finding", "STANDARD_IA"), ("one finding each", "STANDARD_IAX")):  # W133 per rule
        path = folder / f"100-rules-{storage_class}.json"
        path.write_text(quiet_write([maximal(100, storage_class=storage_class)], "cli-json"))
        out[f"in process: 100 rules, {label}"] = best_time(lambda path=path: check(path), many)
        out[f"s3repl validate: 100 rules, {label}"] = process_time([*s3repl(), "validate", str(path)], repeat)
    return out


def terraform_directory(size: int, files: dict) -> dict[str, float]:
    """Reading a directory of .tf files (one module) against reading one of its files as many times, in process."""
    directory = files.get((size, "terraform-directory"))
    if directory is None:
        return {}
    tf_files = sorted(directory.glob("*.tf"))

    def one_by_one():
        for path in tf_files:
            terraform_syntax.cache_clear()
            read_located(path)

    terraform_syntax.cache_clear()
    return {"directory": best_time(lambda: (terraform_syntax.cache_clear(), read_located(directory)), 1),
            "files one by one": best_time(one_by_one, 1), "count": len(tf_files)}


def table(rows: list[tuple], header: tuple) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    print()


def matrix(title: str, cell) -> None:
    names = formats.writable()
    print(f"{title} (rows: from, columns: to)")
    table([(s, *(cell(s, t) for t in names)) for s in names], ("", *names))


def growth(times: dict, sizes, pairs) -> list[tuple[float, str]]:
    """Per pair: per-rule cost at the largest size it has over the per-rule cost at the smallest (1 is linear)."""
    out = []
    for pair in pairs:
        have = [s for s in sizes if (s, *pair) in times]
        if len(have) > 1:
            first, last = have[0], have[-1]
            out.append(((times[(last, *pair)] / last) / (times[(first, *pair)] / first), f"{' -> '.join(pair)} {first}-{last}"))
    return sorted(out)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def main() -> None:  # noqa: C901 - the sections in the order they print
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000,5000", help="rule counts; over 1,000: configurations of 100 rules; "
                        "the targets are set at 1,000 (or the largest size up to it)")
    parser.add_argument("--limit", type=int, default=1000, help="rules in one configuration at most")
    parser.add_argument("--per-document", type=int, default=100, help="rules per configuration over the limit")
    args = parser.parse_args()
    global LIMIT, PER_DOCUMENT
    LIMIT, PER_DOCUMENT = args.limit, args.per_document
    sizes = sorted(int(s) for s in args.sizes.split(","))
    single = max(s for s in sizes if s <= LIMIT)
    pairs = [(s, t) for s in formats.writable() for t in formats.writable()]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_inputs(sizes, folder)
        cold = cold_starts(args.repeat, folder)
        print(f"Cold start, whole process (ms, least of {args.repeat})")
        table([(name, ms(seconds)) for name, seconds in cold.items()], ("measure", "ms"))

        whole = whole_processes(sizes, files, args.repeat, folder)
        print("Whole s3repl convert processes, default options (validation on) (ms)")
        rows = [(f"{s} -> {t}", *(ms(whole["convert", n, s, t]) if ("convert", n, s, t) in whole else "" for n in sizes))
                for s, t in PROCESS_PAIRS + [("terraform-directory", "cloudformation")]]
        table(rows, ("pair", *(f"{n} rules" for n in sizes)))
        print(f"Floors and other commands, whole processes, {single} rules (ms)")
        table([("s3repl convert cli-json -> s3-xml (validation on)", ms(whole["validate", single])),
               ("s3repl convert cli-json -> s3-xml --no-validate", ms(whole["no-validate", single])),
               ("floor: json load + ElementTree build + defusedxml parse (bench/floor_stdlib.py)", ms(whole["floor-stdlib", single])),
               ("s3repl iam --to json", ms(whole["iam", single]))], ("measure", "ms"))

        times, memory, texts = pair_times(sizes, args.repeat)
        for size in sizes:
            matrix(f"{size} rules: read + write, in process (ms)",
                   lambda s, t, size=size: ms(times[size, s, t]) if (size, s, t) in times else "")
        matrix(f"{single} rules: peak memory (MiB, tracemalloc)", lambda s, t: f"{memory[s, t] / 2**20:.1f}")
        if len(sizes) > 1:
            grown = {pair: g for g, pair in ((g, tuple(name.split(" ")[0:3:2])) for g, name in growth(times, sizes, pairs))}
            matrix("Growth in process: per-rule cost at the largest size / at the smallest (1 is linear)",
                   lambda s, t: f"{grown[s, t]:.2f}" if (s, t) in grown else "")

        settled()
        floor = floors(files, texts, single, args.repeat)
        print(f"{single} rules: the libraries on the same content, each in a fresh process; ours in process (ms)")
        table([(name, ms(seconds)) for name, seconds in floor.items()], ("measure", "ms"))
        settled()
        checks = validation(single, args.repeat, files, folder)
        print(f"Validation ({single} rules; 100 rules with and without a finding per rule) (ms)")
        table([(name, ms(seconds)) for name, seconds in checks.items()], ("measure", "ms"))
        settled()
        directory = terraform_directory(sizes[-1], files)
        if directory:
            print(f"A Terraform directory of {directory['count']} files, read in process (ms)")
            table([(name, ms(directory[name])) for name in ("directory", "files one by one")], ("measure", "ms"))
    targets(sizes, single, cold, whole, times, floor, checks, directory)


def targets(sizes, single, cold, whole, times, floor, checks, directory) -> None:
    """Issue 18's targets: ours, the floor, the ratio, the target, met or not."""
    rows = []

    def row(name, ours, base, limit, unit=True):
        ratio = ours / base
        rows.append((name, ms(ours) if unit else f"{ours:.2f}", ms(base) if unit else "", f"{ratio:.2f}", f"<= {limit:g}",
                     "met" if ratio <= limit else "NOT MET"))

    convert_xml = whole["convert", single, "cli-json", "s3-xml"]
    row(f"{single}-rule cli-json -> s3-xml, whole process / stdlib floor process", convert_xml, whole["floor-stdlib", single], 4)
    row(f"{single}-rule cli-json -> terraform, whole process / hcl2.dumps alone",
        whole["convert", single, "cli-json", "terraform"], floor["hcl2.dumps"], 0.2)
    row(f"{single}-rule Terraform read, in process / hcl2.loads (the evaluator's row)", floor["ours: read terraform (HCL)"],
        floor["hcl2.loads"], 0.25)
    row(f"{single}-rule terraform -> cli-json, whole process / hcl2.loads", whole["convert", single, "terraform", "cli-json"],
        floor["hcl2.loads"], 0.25)
    row(f"{single}-rule convert with validation / --no-validate, whole process", whole["validate", single],
        whole["no-validate", single], 1.15)
    row(f"validation / a {single}-rule cli-json -> s3-xml conversion, in process",
        checks["in process: validate (what read_located read)"], checks["in process: cli-json -> s3-xml conversion"], 0.15)
    row("100 rules, one finding each / none: s3repl validate", checks["s3repl validate: 100 rules, one finding each"],
        checks["s3repl validate: 100 rules, no finding"], 1.2)
    row("100 rules, one finding each / none: read + validate in process", checks["in process: 100 rules, one finding each"],
        checks["in process: 100 rules, no finding"], 1.2)
    if len(sizes) > 1:
        pairs = [(s, t) for s in formats.writable() for t in formats.writable()]
        worst = growth(times, sizes, pairs)[-1]
        rows.append((f"per-rule cost growth, worst pair in process ({worst[1]})", "", "", f"{worst[0]:.2f}", "<= 1.5",
                     "met" if worst[0] <= 1.5 else "NOT MET"))
        machine = growth(times, sizes, [("json.loads", "model")])[-1]
        rows.append((f"  beside it: the same growth of json.loads on the model text ({machine[1]})", "", "",
                     f"{machine[0]:.2f}", "", ""))
        rows.append(("  the same in instructions, not time: python bench/instructions.py", "", "", "", "", ""))
        worst = growth({(n, s, t): v for (kind, n, s, t), v in
                        ((k, v) for k, v in whole.items() if k[0] == "convert")}, sizes, PROCESS_PAIRS)[-1]
        rows.append((f"per-rule cost growth, worst whole process ({worst[1]})", "", "", f"{worst[0]:.2f}", "<= 1.5",
                     "met" if worst[0] <= 1.5 else "NOT MET"))
    row(f"s3repl iam / s3repl convert, {single} rules, whole processes", whole["iam", single], convert_xml, 1.5)
    if directory:
        row(f"Terraform directory of {directory['count']} files / its files one by one, in process",
            directory["directory"], directory["files one by one"], 1.2)
    row("cold 1-rule cli-json -> s3-xml / one-command typer app", cold["s3repl convert: 1 rule cli-json -> s3-xml"],
        cold[TYPER_APP], 1.15)
    print("Targets (issue 18)")
    table(rows, ("measure", "ours ms", "floor ms", "ratio", "target", ""))


if __name__ == "__main__":
    main()
