"""The no-silent-loss mechanism: refuse and name every field, or write with --allow-lossy and warn per field."""

from __future__ import annotations

import json
import types

import pytest

from converter import formats, grammar, loads, model, write
from converter.errors import Refusal
from converter.formats import cli_json

CLI_INPUT = {"Bucket": "src", "Token": "tok-123", "ExpectedBucketOwner": "111122223333",
             "ReplicationConfiguration": {"Role": "arn:aws:iam::111122223333:role/r", "Rules": [
                 {"ID": "a", "Priority": 1, "Filter": {}, "Status": "Enabled",
                  "ExistingObjectReplication": {"Status": "Enabled"},
                  "Destination": {"Bucket": "arn:aws:s3:::dest-bucket", "StorageClass": "GLACIER"},
                  "DeleteMarkerReplication": {"Status": "Disabled"}}]}}


def test_request_members_are_refused_by_xml_and_named(cli, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(CLI_INPUT))
    result = cli("convert", path, "--to", "xml")
    assert result.exit_code == 1 and result.stdout == ""
    assert [line for line in result.stderr.splitlines() if "W160" not in line] == [
        "Token: error: cannot be written: the object-lock token is the x-amz-bucket-object-lock-token header, not part "
        "of the XML body (s3-xml cannot hold it; pass --allow-lossy to write without it)",
        "ExpectedBucketOwner: error: cannot be written: ExpectedBucketOwner is the x-amz-expected-bucket-owner header, "
        "not part of the XML body (s3-xml cannot hold it; pass --allow-lossy to write without it)",
    ]


def test_allow_lossy_writes_and_warns_per_field(cli, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(CLI_INPUT))
    result = cli("convert", path, "--to", "xml", "--allow-lossy")
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if "W160" not in line]
    assert [line.split(":")[0] for line in lines] == ["Token", "ExpectedBucketOwner"]
    assert all("warning: dropped" in line for line in lines)
    assert "tok-123" not in result.stdout and "<ExistingObjectReplication>" in result.stdout


def test_cli_input_shape_keeps_request_members():
    configs = loads(json.dumps(CLI_INPUT), "cli-json")
    assert json.loads(write(configs, "cli-json", shape="cli-input")) == CLI_INPUT
    with pytest.raises(Refusal):
        write(configs, "cli-json")


def test_content_md5_is_never_carried_over_silently():
    configs = loads(json.dumps({**CLI_INPUT, "ContentMD5": "abc=="}), "cli-json")
    with pytest.raises(Refusal) as caught:
        write(configs, "cli-json", shape="cli-input")
    assert [d.path for d in caught.value.diagnostics] == ["ContentMD5"]


def test_a_format_declaring_gaps_refuses_each_field(monkeypatch):
    """A stand-in target that cannot hold ExistingObjectReplication, nor storage classes outside a list."""
    fake_grammar = grammar.Grammar(
        name="fake", aliases=(), extensions=(".fake",), summary="", doc="", shapes={}, raw={},
        cannot_express=({"path": "rules[].existing_object_replication", "reason": "no such property"},
                        {"path": "rules[].destination.storage_class", "allowed": ["STANDARD"],
                         "reason": "storage class {value} is not in its enum"}))
    fake = types.SimpleNamespace(NAME="fake", MULTI=True, NEEDS_LITERALS=False,
                                 losses=lambda config, options: [],
                                 write=lambda configs, options: json.dumps([c.model_dump(mode="json", exclude_none=True)
                                                                            for c in configs]))
    monkeypatch.setitem(formats.MODULES, "fake", "fake")
    monkeypatch.setattr(formats, "module", lambda name: fake if name == "fake" else formats.importlib.import_module(
        f"converter.formats.{formats.MODULES[name]}"))
    monkeypatch.setattr(grammar, "load", lambda name, _real=grammar.load: fake_grammar if name == "fake" else _real(name))
    configs = loads(json.dumps(CLI_INPUT["ReplicationConfiguration"]), "cli-json")
    with pytest.raises(Refusal) as caught:
        write(configs, "fake")
    assert [(d.path, d.message) for d in caught.value.diagnostics] == [
        ("Rules[0].ExistingObjectReplication", "cannot be written: no such property"),
        ("Rules[0].Destination.StorageClass", "cannot be written: storage class GLACIER is not in its enum"),
    ]
    warned = []
    out = json.loads(write(configs, "fake", allow_lossy=True, warn=warned.append))
    assert [d.severity for d in warned] == ["warning", "warning"]
    assert "existing_object_replication" not in out[0]["rules"][0] and "storage_class" not in out[0]["rules"][0]["destination"]


def test_every_declared_gap_names_a_real_model_path():
    for name in formats.MODULES:
        for gap in grammar.load(name).cannot_express:
            cls = model.ReplicationConfig
            for part in gap["path"].split("."):
                field = part.removesuffix("[]")
                assert field in cls.model_fields, (name, gap["path"])
                kind, target = grammar.kinds(cls)[field]
                cls = target if kind in ("model", "list") else cls


def test_grammar_shapes_cover_every_model_field():
    request = {field for field in cli_json.REQUEST.values() if field}
    for cls_name, shape in cli_json.GRAMMAR.shapes.items():
        fields = set(shape.values()) | (request | {"origin", "evaluated", "around"} if cls_name == "ReplicationConfig"
                                        else set())
        assert fields == set(getattr(model, cls_name).model_fields)
