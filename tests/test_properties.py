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
