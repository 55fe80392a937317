"""Property tests: random valid models survive every format of the foundation unchanged."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import configs

from converter import loads, write

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(configs(request=True))
def test_model_cli_json_model(config):
    assert loads(write([config], "cli-json", shape="cli-input"), "cli-json") == [config]


@SETTINGS
@given(configs())
def test_model_bare_and_wrapped_cli_json_model(config):
    assert loads(write([config], "cli-json"), "cli-json") == [config]
    assert loads(write([config], "cli-json", shape="wrapped"), "cli-json") == [config]


@SETTINGS
@given(configs())
def test_model_s3_xml_model(config):
    assert loads(write([config], "s3-xml"), "s3-xml") == [config]


@SETTINGS
@given(configs(request=True))
def test_model_format_round_trip(config):
    assert loads(write([config], "model"), "model") == [config]


@settings(max_examples=20, deadline=None)
@given(configs(max_rules=1).flatmap(lambda c: st.integers(1, 1000).map(
    lambda n: c.model_copy(update={"rules": c.rules * n}))))
def test_up_to_1000_rules_round_trip(config):
    assert loads(write([config], "s3-xml"), "s3-xml") == [config]
    assert json.loads(write([config], "cli-json"))["Rules"].__len__() == len(config.rules)


FORMATS = ["cli-json", "s3-xml", "cloudformation", "cloudformation-json", "terraform", "terraform-legacy",
           "terraform-json", "model"]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(request=True), st.sampled_from(FORMATS), st.sampled_from(FORMATS))
def test_every_pair_of_formats_round_trips(config, a, b):
    """A -> B -> A gives back what A held, for what both can hold; what B cannot hold, it refuses by name."""
    from conftest import as_read_by, expressible

    from converter import lossy, select
    from converter.errors import Refusal
    from converter.formats import WriteOptions

    start = expressible(expressible(config, a), b)

    def through(configs, fmt):  # the source bucket travels beside formats that do not hold it, as --bucket does
        return select(loads(write(configs, fmt, warn=lambda d: None), fmt), start.bucket)

    first = through([start], a)
    back = through(through(first, b), a)
    assert as_read_by(a, as_read_by(b, back)) == as_read_by(a, as_read_by(b, first))
    gaps = lossy.losses(expressible(config, a), b, WriteOptions())
    if gaps:
        try:
            write([expressible(config, a)], b, warn=lambda d: None)
        except Refusal as refusal:
            assert {d.path for d in refusal.diagnostics} == {lossy.grammar.api_path(g.loc) for g in gaps}
        else:
            raise AssertionError(f"{b} wrote what it cannot hold")
