"""Benchmark: cold CLI conversions, every format pair on large configurations, the library floors, peak memory.

Run: python bench/run.py [--repeat N]. Prints one table; figures are medians of N runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from converter import formats, loads, select, write
from converter.formats import cloudformation, terraform
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    names = list(formats.MODULES)
    rows = []

    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.json"
        small.write_text(write([maximal(1)], "cli-json"))
        for target in names:
            cmd = [sys.executable, "-m", "converter", "convert", str(small), "--to", target, "--bucket", "source-bucket",
                   "--allow-lossy"]
            seconds = median_time(lambda: subprocess.run(cmd, check=True, capture_output=True), repeat)
            rows.append((f"cold CLI: 1 rule cli-json -> {target}", seconds, None))
        seconds = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), repeat)
        rows.append(("floor: python -c pass", seconds, None))

    for size in SIZES:
        config = maximal(size)
        texts = {fmt: write([config], fmt, warn=lambda d: None, allow_lossy=True) for fmt in names}
        for source in names:
            for target in names:
                def pair(source=source, target=target):
                    cloudformation.parse.cache_clear()  # measure the parse, not the cache that spares re-reads
                    terraform.parse.cache_clear()
                    write(select(loads(texts[source], source), "source-bucket"), target, warn=lambda d: None,
                          allow_lossy=True)
                memory = peak_memory(pair) if size == 1000 else None
                rows.append((f"{size:>4} rules {source} -> {target}", median_time(pair, repeat), memory))
        if size == 1000:
            from defusedxml.ElementTree import fromstring

            rows.append(("1000 rules floor: json.loads", median_time(lambda: json.loads(texts["cli-json"]), repeat), None))
            rows.append(("1000 rules floor: defusedxml fromstring", median_time(lambda: fromstring(texts["s3-xml"]), repeat), None))
            rows.append(("1000 rules floor: json.dumps", median_time(
                lambda: json.dumps(json.loads(texts["cli-json"]), indent=4), repeat), None))
            import cfn_flip

            yaml_text = texts["cloudformation"]
            rows.append(("1000 rules floor: cfn-flip to_json (YAML -> JSON)",
                         median_time(lambda: cfn_flip.to_json(yaml_text), repeat), None))
            loaded = cfn_flip.load(yaml_text)[0]
            rows.append(("1000 rules floor: cfn-flip dump_yaml", median_time(lambda: cfn_flip.dump_yaml(loaded), repeat), None))
            import hcl2

            tf_text = texts["terraform"]
            rows.append(("1000 rules floor: hcl2.loads", median_time(lambda: hcl2.loads(tf_text), min(repeat, 3)), None))
            tf_data = hcl2.loads(tf_text)
            rows.append(("1000 rules floor: hcl2.dumps", median_time(lambda: hcl2.dumps(tf_data), min(repeat, 3)), None))
            rows.append(("1000 rules ours: write terraform (no read)", median_time(
                lambda: write([config], "terraform", warn=lambda d: None), repeat), None))

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'median ms':>10}  {'peak MiB':>9}")
    for name, seconds, memory in rows:
        print(f"{name:<{width}}  {seconds * 1000:>10.2f}  {memory / 2**20 if memory else float('nan'):>9.2f}")


if __name__ == "__main__":
    main()
