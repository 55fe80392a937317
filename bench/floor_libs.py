"""A library's own figure on a file, in a fresh process as a user's program would call it (the collector on, as it is
by default): what s3repl reads and writes with, or instead of. In the benchmark's process, the figure would depend on
what the runs before it left on the heap (hcl2.loads of 1,000 rules: 3.6 s there, 8.5 s alone).

Run: python bench/floor_libs.py MEASURE FILE REPEAT; prints the least seconds of REPEAT runs.
"""

import json
import sys
import time
from pathlib import Path


def prepared(name: str, text: str):
    """The call a measure times, its input made ready (untimed)."""
    import cfn_flip
    import hcl2
    from defusedxml.ElementTree import fromstring

    if name == "cfn-flip dump_yaml":
        template = cfn_flip.load_yaml(text)
        return lambda: cfn_flip.dump_yaml(template)
    if name == "hcl2.dumps":
        data = hcl2.loads(text)
        return lambda: hcl2.dumps(data)
    read = {"json.loads": json.loads, "defusedxml fromstring": fromstring, "cfn-flip load_yaml": cfn_flip.load_yaml,
            "hcl2.loads": hcl2.loads}[name]
    return lambda: read(text)


if __name__ == "__main__":
    name, path, repeat = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    call = prepared(name, path.read_text(encoding="utf-8"))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    print(min(times))
