"""16 threads reading, locating and writing every non-Terraform sample give what one thread gives, run after run.

(Terraform's thread test belongs with its reader: the HCL parser had shared state.)
"""

from __future__ import annotations

import random
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import sample_files

from converter import loads, located_findings, read_located, write

FORMATS = ("cli-json", "s3-xml", "cloudformation", "cloudformation-json", "model")
FILES = [(path, fmt) for _, path, fmt in sample_files() if fmt in FORMATS and path.is_file()]


def _outcome(path, fmt):
    """Everything a reader, the locator and the writers give for one file, or the error it raises."""
    try:
        configs = loads(path.read_text(encoding="utf-8"), fmt, name=path.name)
        findings = [f.render_finding() for item in read_located(str(path), fmt) for f in located_findings(item)]
        written = {}
        for target in FORMATS:
            try:
                written[target] = write(configs, target, allow_lossy=True, warn=lambda diag: None)
            except Exception as exc:  # noqa: BLE001 - a refusal is part of the outcome to compare
                written[target] = f"{type(exc).__name__}: {exc}"
        return configs, findings, written
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("run", range(3))
def test_sixteen_threads_match_one(run):
    assert len({fmt for _, fmt in FILES}) == len(FORMATS)
    serial = {(path, fmt): _outcome(path, fmt) for path, fmt in FILES}
    work = FILES * 4
    random.Random(run).shuffle(work)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often: shared state shows up as a difference
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            threaded = list(pool.map(lambda case: (case, _outcome(*case)), work))
    finally:
        sys.setswitchinterval(interval)
    for case, outcome in threaded:
        assert outcome == serial[case], case
