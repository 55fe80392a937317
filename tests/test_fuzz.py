"""Fuzzing the readers: any input reads or raises s3repl's own error, quickly, never another exception."""

from __future__ import annotations

import json
import time
import tracemalloc

import pytest
from conftest import FORMAT_OF, ROOT, SAMPLES, yaml_bomb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter import loads
from converter.errors import S3ReplError
from converter.sources import decode

SEEDS = [(path, FORMAT_OF[path.name]) for s in SAMPLES for path in sorted(s.iterdir())
         if path.name in FORMAT_OF and path.is_file()]
READERS = sorted(set(FORMAT_OF.values()))
# Inputs that once crashed a reader with something else than our error: kept as regression tests.
CORPUS = ROOT / "tests" / "fuzz-corpus"


def read_or_refuse(data: bytes, fmt: str) -> None:
    """The property: our error, or a result; never another exception, never more than a few seconds."""
    start = time.monotonic()
    try:
        loads(decode(data, "fuzz"), fmt)
    except S3ReplError:
        pass
    assert time.monotonic() - start < 10


@st.composite
def mutated(draw):
    """A sample file with a few bytes inserted, deleted or replaced."""
    path, fmt = draw(st.sampled_from(SEEDS))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(st.sampled_from([b"{", b"}", b"[", b"]", b'"', b":", b"\n", b"<", b">", b"!", b"&", b"$", b"${",
                                      b"-", b"*", b"#", b"0", b"null", b"\x00", b"\xff", b"=", b"  "]))
        if action == "insert":
            data[where:where] = chunk
        elif action == "delete":
            del data[where:where + len(chunk)]
        else:
            data[where:where + len(chunk)] = chunk
    return bytes(data), fmt


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated())
def test_mutated_samples_read_or_refuse(case):
    read_or_refuse(*case)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(READERS))
def test_random_bytes_read_or_refuse(data, fmt):
    read_or_refuse(data, fmt)


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        st.sampled_from(["Role", "Rules", "ID", "Status", "Filter", "Destination", "Bucket", "Prefix",
                                         "And", "Tags", "ReplicationConfiguration", "Resources", "Type", "Properties",
                                         "resource", "configurations", "version", "x"]), inner, max_size=4),
                    max_leaves=20), st.sampled_from(["cli-json", "cloudformation-json", "terraform-json", "model"]))
def test_json_of_any_shape_reads_or_refuses(document, fmt):
    read_or_refuse(json.dumps(document).encode(), fmt)


def test_the_crash_corpus():
    for path in sorted(CORPUS.glob("*")):
        read_or_refuse(path.read_bytes(), path.suffix.lstrip(".").replace("_", "-"))


# --- hostile input ----------------------------------------------------------------------------------
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
          + ']>\n<ReplicationConfiguration><Role>&lol9;</Role></ReplicationConfiguration>')
YAML_BOMB = yaml_bomb(13)


@pytest.mark.parametrize("name,text,fmt,message", [
    ("billion-laughs", LAUGHS, "s3-xml", "DOCTYPE"),
    ("external-file", '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', "s3-xml", "DOCTYPE"),
    ("external-network", '<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>', "s3-xml", "DOCTYPE"),
    ("deep-xml", "<ReplicationConfiguration>" + "<Rule>" * 50000 + "</Rule>" * 50000 + "</ReplicationConfiguration>",
     "s3-xml", ""),
    ("yaml-alias-bomb", YAML_BOMB, "cli-json", "expands to more than"),
    ("yaml-alias-bomb-template", "AWSTemplateFormatVersion: x\n" + YAML_BOMB + "Resources: {}\n", "cloudformation",
     "expands to more than"),
    ("deep-yaml", "a: " + "[" * 20000 + "]" * 20000, "cli-json", ""),
    ("deep-json", "[" * 200000 + "]" * 200000, "cli-json", ""),
    ("deep-hcl", 'resource "aws_s3_bucket_replication_configuration" "x" {\n  role = ' + "(" * 5000 + '"r"' + ")" * 5000
     + "\n}\n", "terraform", ""),
])
def test_hostile_input_is_refused_quickly_in_bounded_memory(name, text, fmt, message):
    tracemalloc.start()
    start = time.monotonic()
    with pytest.raises(S3ReplError) as caught:
        loads(text, fmt)
    elapsed = time.monotonic() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert message in str(caught.value)
    assert elapsed < 15, elapsed
    assert peak < 200 * 1024 * 1024, peak  # far below what expanding the bomb would take


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, path + (index,))


ANY = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(
    ["", "x", "Enabled", "${a.b}", "%{x}", "Fn::If", "Ref", "AWS::Region", "arn:aws:s3:::b", "!Ref"]),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(
        ["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::ImportValue", "Default", "Type", "Status",
         "__is_block__", "rule", "filter", "tags", "bucket", "kind", "target", "parts"]), inner, max_size=2),
    max_leaves=6)
STRUCTURED = [(path, fmt) for path, fmt in SEEDS if path.suffix == ".json"]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(STRUCTURED), st.data())
def test_any_member_of_a_structured_sample_replaced(seed, data):
    """Every member of a JSON sample (CLI JSON, CloudFormation, Terraform JSON, model) replaced by any value."""
    path, fmt = seed
    document = json.loads(path.read_text())
    where = data.draw(st.sampled_from(list(_paths(document))[1:]))
    target = document
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = data.draw(ANY)
    read_or_refuse(json.dumps(document).encode(), fmt)


# --- the generators that found the reliability issues (issue 20) ------------------------------------------------------
@st.composite
def hostile(draw):
    """An input of one of the shapes an attack used: deep flows, many errors, merge keys, huge repetition, lone
    surrogates, keys that are not strings."""
    kind = draw(st.sampled_from(["deep", "errors", "merge", "repeat", "surrogate", "keys"]))
    if kind == "deep":
        depth = draw(st.sampled_from([99, 101, 1000, 60_000]))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}"), ("- ", "")]))
        head = draw(st.sampled_from(["Rules: ", "Role: ", "AWSTemplateFormatVersion: x\nResources: "]))
        return head + ("\n" if opener == "- " else "") + opener * depth + "x" + closer * depth, \
            draw(st.sampled_from(["cli-json", "cloudformation"]))
    if kind == "errors":
        bad = draw(st.sampled_from([{"Status": "Bogus"}, {"Priority": "x"}, {"Nope": 1}, {"Destination": []}]))
        rules = [{"Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::b"}, **bad}] * draw(st.integers(1, 1500))
        return json.dumps({"Role": "r", "Rules": rules}, indent=draw(st.sampled_from([None, 1]))), "cli-json"
    if kind == "merge":
        levels, copies = draw(st.integers(1, 40)), draw(st.integers(1, 3))
        lines = ["a0: &a0 {x: 1}"] + [f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * copies)}]}}"
                                      for i in range(1, levels)]
        return "\n".join(lines) + "\nRole: r\nRules: []\n", "cli-json"
    if kind == "repeat":
        chunk, fmt = draw(st.sampled_from([("<Foo>x</Foo>", "s3-xml"), ("<Rule></Rule>", "s3-xml"),
                                           ('{"a": 1}, ', "cli-json"), ("1, ", "cli-json")]))
        count = draw(st.sampled_from([1_000, 100_000, 1_000_000 if chunk != '{"a": 1}, ' else 200_000]))
        if fmt == "s3-xml":
            return "<ReplicationConfiguration>" + chunk * count + "</ReplicationConfiguration>", fmt
        return '{"Role": "r", "Rules": [' + chunk * count + "0]}", fmt
    if kind == "surrogate":
        escape = draw(st.sampled_from(["\\udc80", "\\ud800", "\\udfff", "\\ud83d"]))
        field = draw(st.sampled_from(["Role", "ID", "Prefix", "Bucket"]))
        rule = {"ID": "i", "Status": "Enabled", "Filter": {"Prefix": "p"}, "Destination": {"Bucket": "arn:aws:s3:::b"}}
        text = json.dumps({"Role": "r", "Rules": [rule]}).replace(f'"{field}": "', f'"{field}": "{escape}', 1)
        return text, "cli-json"
    key = draw(st.sampled_from(["1", "true", "null", "[a]", "{a: 1}", "2001-01-01", "0x10", "~"]))
    where = draw(st.sampled_from(["", "Rules:\n- ", "Rules:\n- Filter:\n    "]))
    return f"Role: r\n{where}{key}: x\n", draw(st.sampled_from(["cli-json", "cloudformation"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile())
def test_hostile_shapes_read_or_refuse_and_write(case):
    """Our error or a result, within 10 s; and what was read can be written as UTF-8 (no lone surrogate gets out)."""
    text, fmt = case
    start = time.monotonic()
    try:
        configs = loads(text, fmt)
    except S3ReplError:
        configs = None
    assert time.monotonic() - start < 10
    if configs:
        from converter import write

        try:
            write(configs, "cli-json", warn=lambda diag: None).encode("utf-8")
        except S3ReplError:
            pass
