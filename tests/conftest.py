"""Shared fixtures: the samples table and a CLI runner."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from converter import loads
from converter.cli import app

# CI replays the same examples every run (a landing never hangs on a new random find); local runs explore.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p for p in (ROOT / "samples").iterdir() if p.is_dir())
# Every file a sample folder may hold, and the format it is in.
FORMAT_OF = {"cli-json.json": "cli-json", "cli-json.yaml": "cli-json", "s3-xml.xml": "s3-xml", "model.json": "model",
             "cloudformation.yaml": "cloudformation", "cloudformation.json": "cloudformation-json",
             "template.yaml": "cloudformation", "template.json": "cloudformation",
             "main.tf": "terraform", "legacy.tf": "terraform-legacy", "main.tf.json": "terraform-json",
             "input": "terraform"}
# Inputs written by hand in a sample (read, never reproduced by a writer); input/ is a Terraform directory.
HANDWRITTEN = {"cli-json.yaml", "template.yaml", "template.json", "input"}


def replication_tf(bucket: str, role: str = '"arn:aws:iam::123456789012:role/replication"', meta: str = "",
                   lifecycle: str = "") -> str:
    """HCL of aws_s3_bucket_replication_configuration "r" with one rule replicating all to dest-bucket (shared fixture)."""
    # Tests vary the bucket, the role and the meta-arguments around this one resource; the rule stays the same.
    return (f'resource "aws_s3_bucket_replication_configuration" "r" {{\n{meta}  bucket = {bucket}\n  role   = {role}\n'
            '  rule {\n    status = "Enabled"\n    filter {}\n    delete_marker_replication {\n      status = "Disabled"\n'
            '    }\n    destination {\n      bucket = "arn:aws:s3:::dest-bucket"\n    }\n  }\n' + lifecycle + "}\n")


def sample_files():
    """(sample folder, file, format) for every sample file."""
    return [(s, s / name, fmt) for s in SAMPLES for name, fmt in FORMAT_OF.items() if (s / name).exists()]


def expected(sample: Path):
    """The canonical model of a sample, from its model.json."""
    return loads((sample / "model.json").read_text(encoding="utf-8"), "model")


def without_origin(configs):
    """Configurations without their provenance (a logical ID or resource address, which formats rename; what reading
    evaluated, which writing declares and drops)."""
    return [c.model_copy(update={"origin": None, "evaluated": None}) for c in configs]


def carried_by(fmt: str, configs):
    """The configurations with only the meta-arguments and resource attributes fmt writes back (model.Around);
    converting the others is a declared loss (tests/test_self_contained.py)."""
    from converter.lossy import carried

    return [c.model_copy(update={"around": tuple(i for i in c.around or () if carried(i, fmt)) or None})
            for c in configs]


def as_read_by(fmt: str, configs):
    """What reading a file of format fmt gives for these configurations: the provider's own normalizations
    for Terraform (https://registry.terraform.io/providers/hashicorp/aws/latest/docs), and neither the
    resources around a reference nor a source bucket's name beside its resource."""
    from converter.formats import terraform, terraform_legacy
    from converter.values import Ref

    view = {"terraform": terraform.provider_view, "terraform-json": terraform.provider_view,
            "terraform-legacy": terraform_legacy.provider_view}.get(fmt)
    out = []
    for config in without_origin(carried_by(fmt, configs)):
        if view:
            config = view(config)
            bucket = config.bucket
            if isinstance(bucket, Ref) and bucket.kind == "resource" and isinstance(bucket.default, str):
                config = config.model_copy(update={"bucket": bucket.default})
            config = strip_resource_defaults(config)
        out.append(config)
    return out


def strip_resource_defaults(obj):
    """A model object whose resource references forget what the surrounding module said they resolve to."""
    from pydantic import BaseModel

    from converter.values import Ref

    if isinstance(obj, Ref):
        parts = tuple(strip_resource_defaults(p) for p in obj.parts) if obj.parts else obj.parts
        return obj.model_copy(update={"parts": parts, **({"default": None} if obj.kind == "resource" else {})})
    if isinstance(obj, BaseModel):
        return obj.model_copy(update={k: strip_resource_defaults(getattr(obj, k)) for k in type(obj).model_fields})
    if isinstance(obj, tuple):
        return tuple(strip_resource_defaults(v) for v in obj)
    return obj


def json_shape(path: Path) -> str:
    """The shape a CLI JSON sample is written in."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return "cli-input" if "Bucket" in data else "wrapped" if "ReplicationConfiguration" in data else "bare"


@pytest.fixture(scope="session")
def s3_emulator():
    """A local S3/IAM/STS endpoint (moto) that records every PutBucketReplication body: see tests/emulator.py."""
    from emulator import Emulator

    emulator = Emulator().start()
    yield emulator
    emulator.stop()


@pytest.fixture
def live_aws(s3_emulator, monkeypatch):
    """An emptied emulator that s3:// inputs read through the standard AWS environment (no real AWS configuration);
    returns a boto3 S3 client on it."""
    from emulator import CREDENTIALS, REGION

    s3_emulator.reset()
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_emulator.endpoint)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS["aws_secret_access_key"])
    return s3_emulator.client()


def put_live(s3, bucket: str, configuration: dict, versioned=("source", "destinations")) -> None:
    """A live bucket with a replication configuration; versioning Enabled on it and on the destinations named."""
    import botocore.exceptions

    destinations = {r["Destination"]["Bucket"].rsplit(":", 1)[-1] for r in configuration["Rules"]}
    for name in [bucket, *sorted(destinations)]:
        try:
            s3.create_bucket(Bucket=name)
        except botocore.exceptions.ClientError:
            pass  # already there: a destination shared by two rules or two sources
        if (name == bucket and "source" in versioned) or (name != bucket and "destinations" in versioned):
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=configuration)


@pytest.fixture(scope="session")
def terraform(s3_emulator):
    """A factory of Terraform working directories applying against s3_emulator: see tests/terraform_harness.py.

    Skips (one reason) where terraform or the provider mirror is absent; runs wherever both are present."""
    from terraform_harness import Terraform, missing

    reason = missing()
    if reason:
        pytest.skip(reason)
    # Not under pytest's basetemp: pytest runs of other checkouts on the machine prune old basetemps mid-run.
    root = Path(tempfile.mkdtemp(prefix="s3repl-terraform-"))
    (root / "shared").mkdir()
    yield lambda name: Terraform(Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root)), s3_emulator.endpoint,
                                 root / "shared")
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def cli():
    """Run s3repl in-process; returns the click Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


def expressible(config, fmt: str):
    """A configuration with a literal source bucket and everything fmt cannot hold dropped or changed."""
    from converter import lossy
    from converter.formats import WriteOptions

    config = config.model_copy(update={"bucket": config.bucket or "source"})
    return lossy.apply_all(config, lossy.losses(config, fmt, WriteOptions()))


def yaml_bomb(levels: int) -> str:
    """A YAML alias bomb: each level lists the one before ten times (10 ** levels values once expanded)."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]" for i in range(levels - 1)]
    return "\n".join(lines) + "\n"
