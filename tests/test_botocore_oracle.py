"""botocore as the oracle for the wire formats: its serializer, parser and validator agree with what we read and write."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import botocore.parsers
import botocore.serialize
import botocore.session
import pytest
from botocore.validate import ParamValidator
from conftest import SAMPLES, carried_by, expected

from converter import loads, write

S3 = botocore.session.get_session().get_service_model("s3")
PUT = S3.operation_model("PutBucketReplication")
GET = S3.operation_model("GetBucketReplication")


def botocore_xml(cli_json: dict) -> bytes:
    """The XML body botocore sends for a CLI JSON configuration."""
    request = botocore.serialize.create_serializer("rest-xml").serialize_to_request(
        {"Bucket": "source", "ReplicationConfiguration": cli_json}, PUT)
    return request["body"]


def botocore_parse(xml_text: str) -> dict:
    """The CLI JSON botocore parses out of a GetBucketReplication XML body."""
    parsed = botocore.parsers.create_parser("rest-xml").parse(
        {"body": xml_text.encode(), "headers": {}, "status_code": 200}, GET.output_shape)
    return parsed["ReplicationConfiguration"]


def canonical(xml: str | bytes) -> str:
    """XML with insignificant whitespace removed, for comparison."""
    root = ET.fromstring(xml)
    for element in root.iter():
        if len(element):
            element.text = None
        element.tail = None
    return ET.tostring(root, encoding="unicode")


def configs():
    """The configurations of the samples every format can hold (literal values only)."""
    return [c for sample in SAMPLES if (sample / "cli-json.json").exists() for c in carried_by("cli-json", expected(sample))]


@pytest.mark.parametrize("config", configs(), ids=lambda c: str(c.bucket))
def test_our_xml_is_what_botocore_sends(config):
    ours = write([config], "s3-xml", allow_lossy=False)
    assert canonical(ours) == canonical(botocore_xml(json.loads(write([config], "cli-json"))))


@pytest.mark.parametrize("config", configs(), ids=lambda c: str(c.bucket))
def test_botocore_parses_our_xml_into_our_cli_json(config):
    assert botocore_parse(write([config], "s3-xml")) == json.loads(write([config], "cli-json"))


@pytest.mark.parametrize("config", configs(), ids=lambda c: str(c.bucket))
def test_botocore_xml_reads_back_into_the_same_model(config):
    body = botocore_xml(json.loads(write([config], "cli-json"))).decode()
    assert loads(body, "s3-xml")[0] == config.model_copy(update={"bucket": None})


@pytest.mark.parametrize("config", configs(), ids=lambda c: str(c.bucket))
def test_param_validator_accepts_every_cli_json_we_write(config):
    for shape in ("bare", "cli-input"):
        document = json.loads(write([config.model_copy(update={"bucket": config.bucket or "source"})], "cli-json",
                                    shape=shape))
        params = document if shape == "cli-input" else {"Bucket": "source", "ReplicationConfiguration": document}
        report = ParamValidator().validate(params, PUT.input_shape)
        assert not report.has_errors(), report.generate_report()
