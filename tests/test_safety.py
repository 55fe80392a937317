"""Hostile input and output: generated code quotes every value, crashes become one-line errors, outputs are safe."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

from converter import loads, write
from converter.formats import MODULES

# A value that would run a command, or open an interpolation, if a writer pasted it into code unquoted.
HOSTILE = ["src\ntouch CANARY #", "$(touch CANARY)", "`touch CANARY`", "a'b\"c;touch CANARY", "${var.x}",
           "%{ if true }x%{ endif }", 'a"}${x}\\n', "x: y #z", "- [a]", "017", "*alias", "!Ref x", "\\\"; $$"]


def _document(name: str, canary: str = "CANARY") -> dict:
    name = name.replace("CANARY", canary)
    return {"Bucket": name, "ReplicationConfiguration": {
        "Role": "arn:aws:iam::111122223333:role/replication-role",
        "Rules": [{"ID": name, "Priority": 1, "Status": "Enabled",
                   "Filter": {"And": {"Prefix": name, "Tags": [{"Key": name, "Value": name}]}},
                   "Destination": {"Bucket": "arn:aws:s3:::" + name, "Account": "444455556666"},
                   "DeleteMarkerReplication": {"Status": "Disabled"}}]}}


def _plain_bucket(config):
    """The source bucket as a string: terraform-legacy reads it as its resource, whose name is the literal."""
    bucket = config.bucket
    return config.model_copy(update={"bucket": getattr(bucket, "default", bucket)})


@pytest.mark.parametrize("fmt", list(MODULES))
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_values_are_data_in_every_written_format(fmt, name):
    """Written, then read back: the same values, so none of them became code (a reference, a tag, a new line)."""
    (config,) = loads(json.dumps(_document(name)), "cli-json")
    text = write([config], fmt, shape="cli-input", allow_lossy=True, warn=lambda diag: None)
    (back,) = loads(text, fmt)
    if fmt == "s3-xml":
        back = back.model_copy(update={"bucket": config.bucket})  # XML does not hold the source bucket
    assert _plain_bucket(back).bucket == config.bucket
    assert back.rules == config.rules


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_values_in_external_parsers(name):
    """The oracles read the same strings: PyYAML (CloudFormation), json, python-hcl2 (Terraform, `$${` kept escaped)."""
    import hcl2
    import yaml
    from cfn_tools import load_yaml

    (config,) = loads(json.dumps(_document(name)), "cli-json")
    template = load_yaml(write([config], "cloudformation", allow_lossy=True, warn=lambda diag: None))
    properties = next(iter(template["Resources"].values()))["Properties"]
    assert properties["BucketName"] == name
    assert yaml.safe_load(json.dumps(name)) == name
    assert json.loads(write([config], "cli-json"))["Rules"][0]["ID"] == name
    parsed = hcl2.loads(write([config], "terraform", allow_lossy=True, warn=lambda diag: None))
    resource = next(iter(parsed["resource"][0]['"aws_s3_bucket_replication_configuration"'].values()))
    literal = resource["rule"][0]["id"]  # the HCL literal as written: its escapes are a subset of JSON's
    assert json.loads(literal.replace("$${", "${").replace("%%{", "%{")) == name


def _s3repl(*args, cwd, env=None, stdin=None, timeout=60):
    command = [sys.executable, "-m", "converter", *map(str, args)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout,
                          input=stdin)


STUB_AWS = "#!{python}\nimport json, os, sys\nwith open(os.environ['AWS_LOG'], 'a') as log:\n" \
           "    log.write(json.dumps(sys.argv[1:]) + '\\n')\n"


@pytest.mark.parametrize("name", HOSTILE)
def test_cli_script_runs_only_aws_with_exactly_the_values(tmp_path, name):
    """bash -n accepts the script; run with a stub aws, nothing else executes and every argv is the value itself."""
    canary = tmp_path / "canary"
    document = _document(name, str(canary))
    (tmp_path / "in.json").write_text(json.dumps(document))
    done = _s3repl("iam", "in.json", "--to", "cli-script", "-o", "out/", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (script,) = (tmp_path / "out").glob("*.sh")
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "aws").write_text(STUB_AWS.format(python=sys.executable))
    (stubs / "aws").chmod(0o755)
    log = tmp_path / "aws.log"
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}", "AWS_LOG": str(log)}
    run = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert not canary.exists()
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    bucket = document["Bucket"]
    assert [c[:2] for c in calls][-1] == ["s3api", "put-bucket-replication"]
    for call in calls:
        if "--bucket" in call:
            assert call[call.index("--bucket") + 1] == bucket
        assert all(arg.startswith("file://") for arg, flag in zip(call[1:], call) if flag in (
            "--assume-role-policy-document", "--policy-document", "--policy", "--replication-configuration"))
    assert sum(c[:2] == ["s3api", "put-bucket-versioning"] for c in calls) == 2
