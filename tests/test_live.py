"""Live buckets (s3://BUCKET): real boto3 wire calls to moto's server behind the faithful-GET layer (tests/emulator.py)."""

from __future__ import annotations

import copy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import ROOT, SAMPLES, put_live
from test_emulator import MAXIMAL

import converter
from converter import loads

LIVE_SAMPLES = [s for s in SAMPLES if (s / "cli-json.json").exists() and "${" not in (s / "cli-json.json").read_text()]


def as_live(document: dict, bucket: str):
    """The model s3://bucket must give for a configuration put there: the cli-json reader's, named after the bucket."""
    (config,) = loads(json.dumps(document), "cli-json")
    return config.model_copy(update={"bucket": bucket, "origin": f"s3://{bucket}"})


def test_every_feature_put_through_the_api_reads_back_equal(live_aws, s3_emulator):
    put_live(live_aws, "source", MAXIMAL)
    assert s3_emulator.puts("source") == [MAXIMAL]  # what went over the wire
    assert converter.read("s3://source") == [as_live(MAXIMAL, "source")]


@pytest.mark.parametrize("sample", LIVE_SAMPLES, ids=[s.name for s in LIVE_SAMPLES])
def test_a_sample_put_live_converts_back_to_what_was_put(live_aws, s3_emulator, cli, sample):
    document = json.loads((sample / "cli-json.json").read_text())
    document = document.get("ReplicationConfiguration", document)  # the --cli-input-json shape holds it
    put_live(live_aws, "live-source", document)
    result = cli("convert", "s3://live-source", "--to", "cli-json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == s3_emulator.puts("live-source")[-1] == document


def test_live_versioning_feeds_the_versioning_check(live_aws, cli):
    put_live(live_aws, "source", json.loads((ROOT / "samples/two-destinations/cli-json.json").read_text()),
             versioned=("source",))
    result = cli("validate", "s3://source", "--format", "json")
    found = [(f["code"], f["path"]) for f in json.loads(result.stdout)]
    assert result.exit_code == 1
    assert found == [("E170", "Rules[0].Destination.Bucket"), ("E170", "Rules[1].Destination.Bucket")]
    live_aws.put_bucket_versioning(Bucket="logs-replica-us-west-2", VersioningConfiguration={"Status": "Enabled"})
    live_aws.put_bucket_versioning(Bucket="images-replica-eu-west-1", VersioningConfiguration={"Status": "Enabled"})
    assert cli("validate", "s3://source").exit_code == 0
    live_aws.put_bucket_versioning(Bucket="source", VersioningConfiguration={"Status": "Suspended"})
    result = cli("validate", "s3://source", "--format", "json")
    assert [f["path"] for f in json.loads(result.stdout)] == ["Bucket"]


def test_a_destination_the_credentials_cannot_read_is_unknown_not_a_finding(live_aws, cli):
    document = json.loads((ROOT / "samples/minimal-same-account/cli-json.json").read_text())
    live_aws.create_bucket(Bucket="source")
    live_aws.put_bucket_versioning(Bucket="source", VersioningConfiguration={"Status": "Enabled"})
    live_aws.put_bucket_replication(Bucket="source", ReplicationConfiguration=document)  # its destination: not there
    assert cli("validate", "s3://source").exit_code == 0


def test_in_sync_is_exit_0_and_one_drifted_field_is_named(live_aws, cli):
    sample = ROOT / "samples/rtc-metrics"
    document = json.loads((sample / "cli-json.json").read_text())
    put_live(live_aws, "rtc-metrics-source", document)
    for code in ("main.tf", "cli-json.json", "cloudformation.yaml"):
        result = cli("diff", sample / code, "s3://rtc-metrics-source")
        assert result.exit_code == 0, result.stdout
    drifted = copy.deepcopy(document)
    drifted["Rules"][0]["Destination"]["StorageClass"] = "STANDARD_IA"  # an edit in the console
    live_aws.put_bucket_replication(Bucket="rtc-metrics-source", ReplicationConfiguration=drifted)
    result = cli("diff", sample / "main.tf", "s3://rtc-metrics-source", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["outcome"] == "different"
    assert report["configurations"][0]["changes"] == [
        {"kind": "changed", "path": "Rules[id=rtc-everything].Destination.StorageClass", "b": "STANDARD_IA"}]


CODE = """
resource "aws_s3_bucket" "data" {
  bucket_prefix = "data-"
}

resource "aws_s3_bucket_replication_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  role   = "arn:aws:iam::111122223333:role/replication"
  rule {
    id       = "own-prefix"
    priority = 1
    status   = "Enabled"
    filter {
      prefix = "${aws_s3_bucket.data.bucket}/"
    }
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket = "arn:aws:s3:::data-replica"
    }
  }
}
"""


def test_references_in_the_code_to_the_live_bucket_resolve_to_it(live_aws, cli, tmp_path):
    (tmp_path / "main.tf").write_text(CODE)
    live = {"Role": "arn:aws:iam::111122223333:role/replication", "Rules": [
        {"ID": "own-prefix", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": "data-20261122/"},
         "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": "arn:aws:s3:::data-replica"}}]}
    put_live(live_aws, "data-20261122", live)
    assert cli("diff", tmp_path / "main.tf", "s3://data-20261122").exit_code == 0
    (tmp_path / "export.json").write_text(json.dumps(live))  # the same, from a file: nothing says which bucket it is
    assert cli("diff", tmp_path / "main.tf", tmp_path / "export.json").exit_code == 3
    live["Rules"][0]["Filter"]["Prefix"] = "other/"
    live_aws.put_bucket_replication(Bucket="data-20261122", ReplicationConfiguration=live)
    result = cli("diff", tmp_path / "main.tf", "s3://data-20261122")
    assert result.exit_code == 1 and "Rules[id=own-prefix].Filter.Prefix: '${aws_s3_bucket.data.bucket}/' -> 'other/'" in result.stdout


def test_live_becomes_deployable_terraform_with_its_role(live_aws, cli, tmp_path):
    put_live(live_aws, "two-destinations-source", json.loads((ROOT / "samples/two-destinations/cli-json.json").read_text()))
    result = cli("convert", "s3://two-destinations-source", "--to", "terraform", "--with-iam", "-o", f"{tmp_path}/out/")
    assert result.exit_code == 0, result.stderr
    files = {p.name: p.read_text() for p in (tmp_path / "out").iterdir()}
    (tf,) = [text for name, text in files.items() if name.endswith(".tf") and "aws_s3_bucket_replication_configuration" in text]
    (config,) = loads(tf, "terraform", name="main.tf")
    assert config.bucket == "two-destinations-source"
    assert "aws_iam_role" in "".join(files.values())


class _Answers(BaseHTTPRequestHandler):
    """An S3 endpoint that answers every request with one error, and counts the requests."""

    status, code, calls = 500, "InternalError", 0

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).calls += 1
        body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{self.code}</Code><Message>no</Message></Error>".encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def answering(monkeypatch):
    """Start an endpoint answering (status, code); AWS_ENDPOINT_URL points at it; yields its handler class."""
    servers = []

    def start(status: int, code: str):
        handler = type("Handler", (_Answers,), {"status": status, "code": code, "calls": 0})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_port}")
        return handler

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# (what is set up, the command's exit code, the line on stderr)
FAILURES = {
    "missing-bucket": (2, "s3://absent: error: no such bucket: absent"),
    "no-replication": (1, "s3://plain: error: bucket plain has no replication configuration"),
    "no-credentials": (2, "s3://source: error: no AWS credentials found"),
    "refusing-endpoint": (2, "s3://source: error: cannot reach S3 at http://127.0.0.1:"),
    "access-denied": (2, "s3://source: error: access denied to GetBucketReplication on bucket source (the credentials "
                         "need s3:GetReplicationConfiguration on arn:aws:s3:::source)"),
    "expired-token": (2, "s3://source: error: the AWS session token has expired"),
    "throttled": (2, "s3://source: error: S3 is throttling requests (SlowDown) after 2 attempts"),
    "object-not-bucket": (2, "s3://source/key.json: error: 's3://source/key.json' names an object"),
}


@pytest.mark.parametrize("case", FAILURES)
def test_each_live_failure_is_one_clear_line_and_nothing_written(case, live_aws, cli, monkeypatch, answering, tmp_path):
    uri = {"missing-bucket": "s3://absent", "no-replication": "s3://plain", "object-not-bucket": "s3://source/key.json"}.get(
        case, "s3://source")
    put_live(live_aws, "source", MAXIMAL)
    live_aws.create_bucket(Bucket="plain")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    if case == "no-credentials":
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance metadata lookup either
    elif case == "refusing-endpoint":
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    elif case in ("access-denied", "expired-token", "throttled"):
        endpoint = answering(*{"access-denied": (403, "AccessDenied"), "expired-token": (400, "ExpiredToken"),
                               "throttled": (503, "SlowDown")}[case])
    code, line = FAILURES[case]
    for command in (("convert", uri, "--to", "terraform", "-o", tmp_path / "out.tf"), ("diff", uri, uri), ("show", uri)):
        result = cli(*command)
        assert result.exit_code == code, result.stderr
        assert result.stderr.startswith(line) and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "out.tf").exists()
    if case == "throttled":
        assert endpoint.calls == 2 * 3  # retried (standard mode, AWS_MAX_ATTEMPTS), once per command


def test_without_boto3_the_message_names_the_extra(monkeypatch, cli):
    import sys

    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 raises ImportError
    result = cli("show", "s3://source")
    assert result.exit_code == 2
    assert result.stderr == "s3://source: error: reading s3:// inputs needs boto3, which is not installed " \
                            "(pip install 's3repl[aws]')\n"


def test_profile_and_region_options_reach_boto3(live_aws, cli, monkeypatch):
    put_live(live_aws, "source", MAXIMAL)
    result = cli("show", "s3://source", "--profile", "nobody-has-this-profile")
    assert result.exit_code == 2 and "nobody-has-this-profile" in result.stderr
    assert cli("show", "s3://source", "--region", "eu-west-1").exit_code == 0


def test_live_to_terraform_applies_and_puts_the_same_configuration(live_aws, s3_emulator, cli, tmp_path, terraform):
    """The journey's oracle: terraform apply of what s3:// became sends S3 what was live, the role the one it made."""
    document = json.loads((ROOT / "samples/two-destinations/cli-json.json").read_text())
    put_live(live_aws, "two-destinations-source", document)
    result = cli("convert", "s3://two-destinations-source", "--to", "terraform", "--with-iam", "-o", f"{tmp_path}/out/")
    assert result.exit_code == 0, result.stderr
    tf = terraform("live-to-code")
    for path in (tmp_path / "out").iterdir():
        tf.write(path.name, path.read_text())
    tf.init()
    tf.apply()
    sent = s3_emulator.puts("two-destinations-source")[-1]
    assert sent["Role"].split(":")[-1] == document["Role"].split(":")[-1] == "role/replication-role"  # moto's account
    assert {**sent, "Role": document["Role"]} == document
    assert tf.plan().returncode == 0
