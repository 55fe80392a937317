"""The fast YAML path (libyaml events straight to data) gives what PyYAML's loader gives, or leaves the document to it."""

from __future__ import annotations

import datetime
import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import TRICKY

from converter import sources
from converter.formats import cfn_yaml


def typed(value):
    """A form of data where 1, 1.0 and True differ (== alone does not tell them apart), and NaN equals NaN."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def slow(text: str):
    """PyYAML's own loader with cfn-flip's tags: the reference."""
    return yaml.load(text, Loader=cfn_yaml.loader())  # noqa: S506 - a safe loader


def fast(text: str):
    """The fast path's data, or None when it leaves the document to PyYAML."""
    try:
        return sources._events_to_data(text, cfn_yaml.long_form)
    except (ValueError, yaml.YAMLError):
        return None


def agrees(text: str) -> bool:
    """Whether the fast path took the document (and then gave exactly PyYAML's data)."""
    data = fast(text)
    if data is None:
        return False
    assert typed(data) == typed(slow(text))
    return True


# Plain scalars PyYAML 1.1 reads as something other than a string, and strings that only look like them.
SCALARS = ["yes", "No", "on", "OFF", "true", "~", "null", "", "0x1F", "0o17", "017", "1_000", "1e3", "1.5", ".inf",
           "-.inf", ".nan", "+12", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "1:20", "190:20:30", "=", "<<x",
           "0b101", "-", "a b", "x: y", "'q'", '"d"', "#c", "a #c", "é", "2001-13-45x"]
keys = st.sampled_from(SCALARS + TRICKY + ["Ref", "Fn::Sub", "Resources"]) | st.text(max_size=8)
leaves = st.sampled_from(SCALARS + TRICKY) | st.text(max_size=12) | st.integers() | st.floats() | st.booleans() | st.none()


class Tagged(yaml.YAMLObject):
    """A short-form intrinsic for PyYAML's dumper to write: !Ref, !Sub, !GetAtt..."""

    def __init__(self, tag, value):
        self.tag, self.value = tag, value


def represent_tagged(dumper, item):
    if isinstance(item.value, list):
        return dumper.represent_sequence(item.tag, item.value)
    if isinstance(item.value, dict):
        return dumper.represent_mapping(item.tag, item.value)
    return dumper.represent_scalar(item.tag, str(item.value))


yaml.SafeDumper.add_representer(Tagged, represent_tagged)
intrinsics = st.builds(Tagged, st.sampled_from(["!Ref", "!Sub", "!GetAtt", "!Condition", "!If", "!Join", "!Base64"]),
                       leaves | st.lists(leaves, max_size=3) | st.dictionaries(keys, leaves, max_size=2))
templates = st.recursive(leaves | intrinsics, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                         max_leaves=25)


@settings(max_examples=300)
@given(templates, st.sampled_from([None, True, False]), st.sampled_from([None, "'", '"']))
def test_any_document_pyyaml_writes_reads_the_same(value, flow, quote):
    text = yaml.safe_dump(value, default_flow_style=flow, default_style=quote, allow_unicode=True, width=40)
    agrees(text)


# What our CloudFormation emitter writes: strings, integers, booleans, and intrinsics it shortens (!Ref, !GetAtt...).
words = st.sampled_from(SCALARS + TRICKY) | st.text(max_size=12)
long_forms = (st.builds(lambda v: {"Ref": v}, words) | st.builds(lambda v: {"Fn::Sub": v}, words)
              | st.builds(lambda a, b: {"Fn::GetAtt": [a, b]}, words, words))
emitted = st.recursive(words | st.integers() | st.booleans() | long_forms,
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(words, inner, max_size=4), max_leaves=25)


@settings(max_examples=200)
@given(emitted)
def test_our_cloudformation_emitter_output_takes_the_fast_path(value):
    assert agrees(cfn_yaml.dump({"Resources": value}))


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",  # anchors and aliases
    "base: &b {k: 1}\nother:\n  <<: *b\n",  # merge key
    "a: 1\n---\nb: 2\n",  # several documents
    "",  # no document
    "a: !!binary aGVsbG8=\n",  # a rare explicit tag
    "a: !!set {x}\n",
    "a: !!map [x]\n",  # a mapping's tag on a sequence: PyYAML refuses
    "a: !!seq {x: 1}\n",
    "%TAG ! tag:example.com,2000:\n---\na: !Ref x\n",  # a tag directive changes what ! means
    "a: !GetAtt [x, 1]\n",  # cfn-flip reads list items as text: 1 stays "1"
    "a: !GetAtt {x: y}\n",  # cfn-flip refuses
    "? [a, b]\n: c\n",  # a collection as a key
    "a: =\n",  # the YAML 1.1 'value' tag PyYAML cannot construct
    "a: [1, 2\n",  # a syntax error: PyYAML's loader reports it with line and column
])
def test_unusual_documents_are_left_to_pyyaml(text):
    assert fast(text) is None


@pytest.mark.parametrize("text, value", [
    ("AWSTemplateFormatVersion: 2010-09-09\n", {"AWSTemplateFormatVersion": datetime.date(2010, 9, 9)}),
    ("a: !Ref Bucket\nb: !GetAtt Bucket.Arn\nc: !Sub '${AWS::Partition}'\n",
     {"a": {"Ref": "Bucket"}, "b": {"Fn::GetAtt": ["Bucket", "Arn"]}, "c": {"Fn::Sub": "${AWS::Partition}"}}),
    ("a: !Ref 123\nb: !Condition yes\n", {"a": {"Ref": "123"}, "b": {"Condition": "yes"}}),  # tagged text stays text
    ("a: !If [c, 1, !Ref AWS::NoValue]\n", {"a": {"Fn::If": ["c", 1, {"Ref": "AWS::NoValue"}]}}),
    ("yes: no\n~: 0x10\n", {True: False, None: 16}),
    ("a: !!map {x: !!str 1}\nb: !!seq [!!str yes]\n", {"a": {"x": "1"}, "b": ["yes"]}),
])
def test_common_documents_take_the_fast_path(text, value):
    assert fast(text) == value
    assert agrees(text)


def test_an_alias_bomb_is_still_refused(tmp_path):
    from conftest import yaml_bomb

    from converter.errors import InputError

    with pytest.raises(InputError, match="expands to more than"):
        sources.load_yaml(yaml_bomb(8), "bomb.yaml")
