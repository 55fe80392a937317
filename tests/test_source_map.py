"""Source maps: the JSON map finds every member where the YAML map (composed nodes) finds it, and is built once."""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter import sources

_keys = st.sampled_from(["a", "b", "Rules", "é", "x y", 'q"', "1"]) | st.text(max_size=4)
_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=6)
_documents = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(_keys, inner, max_size=4), max_leaves=25)


def _pointers(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _pointers(value, prefix + (key,))
        yield prefix + ("missing",)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _pointers(value, prefix + (index,))
        yield prefix + (len(data),)
        yield prefix + ("0",)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _documents, max_size=5) | st.lists(_documents, max_size=4),
       st.dictionaries(_keys, _documents, max_size=3), st.sampled_from([None, 0, 1, 2, 4]), st.booleans(), st.randoms())
def test_the_json_map_finds_what_the_yaml_map_finds(data, more, indent, ensure_ascii, order):
    """Asked in any order (the map scans lazily and jumps ahead); more's members follow data's in the same object, so
    keys repeat (the first one counts, as in YAML's map)."""
    text = json.dumps(data, indent=indent, ensure_ascii=ensure_ascii)
    if any(c in text for c in "\x85\u2028\u2029"):
        text = json.dumps(data, indent=indent)
    pointers = list(_pointers(data))
    if isinstance(data, dict) and data and more:
        text = text.rstrip("}").rstrip() + ", " + json.dumps(more, indent=indent)[1:]
        pointers += [p for p in _pointers(more) if p and p[0] not in data]
    order.shuffle(pointers)
    fast, slow = sources._JsonMap(text).where, sources._yaml_map(text)
    for pointer in pointers:
        expected = slow(pointer)
        if expected is not None:  # YAML refuses some JSON (a tab in a key): the JSON map may then find more
            assert fast(pointer) == expected, pointer


def test_a_duplicate_key_is_found_where_yaml_finds_it_and_broken_json_goes_to_yaml():
    text = '{\n  "a": 1,\n  "a": {"b": 2}\n}\n'
    assert sources._JsonMap(text).where(("a",)) == sources._yaml_map(text)(("a",)) == (2, 3)
    # Not JSON before the member (YAML flow mappings take unquoted keys; a missing comma is neither): YAML answers.
    for broken in ('{"x": {y: [1 2]}, "a": 3}', '{"x": 1 "a": 3}', '{"x": 1,, "a": 3}', '{"x": "\\q", "a": 3}'):
        assert sources._JsonMap(broken).where(("a",)) == sources._yaml_map(broken)(("a",)), broken
    # Broken only past the member: the text is not read that far, and the member's place is answered (YAML has none).
    broken = '{"a": [1, 2,\n "b": 3}'
    assert sources._yaml_map(broken)(("a", 1)) is None
    assert sources._JsonMap(broken).where(("a", 1)) == (1, 11)


def test_a_map_is_built_once_per_text():
    text = json.dumps({"Rules": [{"ID": f"r{i}", "Filter": {"Prefix": f"p{i}/"}} for i in range(2000)]}, indent=2)
    sources.source_map.cache_clear()
    start = time.perf_counter()
    sources.locate(text, ("Rules", 0, "ID"))
    first = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(1, 2000):
        sources.locate(text, ("Rules", i, "Filter", "Prefix"))
    assert sources.source_map.cache_info().misses == 1
    assert time.perf_counter() - start < 200 * first + 1  # not 2,000 parses
    pointer = ("Rules", 1999, "Filter", "Prefix")
    assert sources.locate(text, pointer) == sources._yaml_map(text)(pointer) == (12000, 9)


def test_detecting_a_format_imports_no_format_module():
    """Cold start: detection reads a tiny table; only the format read (and the one written) get imported."""
    import subprocess
    import sys

    from conftest import ROOT

    sample = next((ROOT / "samples").glob("*/cli-json.json"))
    code = ("import sys; from converter import read; read(sys.argv[1]); "
            "print(sorted(m for m in sys.modules if m.startswith('converter.formats.')))")
    run = subprocess.run([sys.executable, "-c", code, str(sample)], capture_output=True, text=True, check=True, cwd=ROOT)
    assert run.stdout.strip() == "['converter.formats.cli_json', 'converter.formats.detection']"


def test_what_a_read_keeps_goes_with_what_it_read():
    """A long-running caller reading documents in a loop keeps nothing of them: positions go with their configuration
    (the last 4,096 reads were kept), parses with their source (the last 64, of any size)."""
    import gc
    import weakref

    from conftest import ROOT

    from converter import loads
    from converter.formats.cloudformation import _MOVES
    from converter.formats.cloudformation import parse as parse_template
    from converter.source_map import _READ, recalled
    from converter.terraform.syntax import _parse_hcl

    gc.collect()
    before = len(_READ), len(_parse_hcl.held), len(parse_template.held), len(_MOVES)
    for fmt, sample in (("s3-xml", "rtc-metrics/s3-xml.xml"), ("terraform", "rtc-metrics/main.tf"),
                        ("cloudformation", "cfn-references/template.yaml")):
        configs = loads((ROOT / "samples" / sample).read_text() + "\n", fmt)  # a text no earlier test read
        if fmt != "cloudformation":
            assert recalled(configs[0]), fmt  # the locator of this read finds the reader's positions
        read = weakref.ref(configs[0])
        del configs
        gc.collect()
        assert read() is None, fmt
    assert (len(_READ), len(_parse_hcl.held), len(parse_template.held), len(_MOVES)) == before
