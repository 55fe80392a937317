"""Each check: a configuration that triggers it and a near miss that does not, in two formats, with id, path and line."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import ROOT, SAMPLES

from converter import loads, validate, write
from converter.validate import CHECKS

ROLE = "arn:aws:iam::111122223333:role/replication"
DEST = "arn:aws:s3:::dest-bucket"


def v2(**extra):
    rule = {"ID": "r1", "Priority": 1, "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
            "Destination": {"Bucket": DEST}, "DeleteMarkerReplication": {"Status": "Disabled"}}
    return {**rule, **extra}


def v1(**extra):
    return {"ID": "r1", "Prefix": "logs/", "Status": "Enabled", "Destination": {"Bucket": DEST}, **extra}


def config(*rules, role=ROLE):
    return {"Role": role, "Rules": list(rules)}


RTC = {"Status": "Enabled", "Time": {"Minutes": 15}}
METRICS = {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}
TAG = {"Tag": {"Key": "k", "Value": "v"}}
# id: (triggers, near miss, path of the finding, formats to try it in)
CASES = {
    "E101": (config(v2(Priority=None)), config(v2()), "Rules[0].Priority"),
    "E102": (config(v2(DeleteMarkerReplication=None)), config(v2()), "Rules[0]"),
    "E103": (config(v1(DeleteMarkerReplication={"Status": "Enabled"})), config(v1()), "Rules[0].DeleteMarkerReplication"),
    "E108": (config(v1(Prefix=None)), config(v1(Prefix="")), "Rules[0]"),
    "E104": (config(v1(SourceSelectionCriteria={"ReplicaModifications": {"Status": "Enabled"}})),
             config(v2(SourceSelectionCriteria={"ReplicaModifications": {"Status": "Enabled"}})),
             "Rules[0].SourceSelectionCriteria.ReplicaModifications"),
    "E105": (config(v1(), v2(ID="r2", Filter={"Prefix": "img/"})), config(v2(), v2(ID="r2", Priority=2, Filter={"Prefix": "img/"})), None),
    "E106": (config(v1(), v1(ID="r2", Prefix="img/", Destination={"Bucket": "arn:aws:s3:::other-bucket"})),
             config(v1(), v1(ID="r2", Prefix="img/")), "Rules"),
    "E107": (config(v1(Destination={"Bucket": DEST, "ReplicationTime": RTC, "Metrics": METRICS})),
             config(v2(Destination={"Bucket": DEST, "ReplicationTime": RTC, "Metrics": METRICS})), "Rules[0].Destination"),
    "E110": (config(v2(Filter=TAG, DeleteMarkerReplication={"Status": "Enabled"})), config(v2(Filter=TAG)),
             "Rules[0].DeleteMarkerReplication.Status"),
    "E111": (config(v2(Filter={"Prefix": "a/", **TAG})), config(v2(Filter={"And": {"Prefix": "a/", "Tags": [TAG["Tag"]]}})),
             "Rules[0].Filter"),
    "E112": (config(v2(Filter={"And": {"Prefix": "a/"}})), config(v2(Filter={"And": {"Tags": [TAG["Tag"], {"Key": "j", "Value": "w"}]}})),
             "Rules[0].Filter.And"),
    "E120": (config(v2(Destination={"Bucket": DEST, "ReplicationTime": RTC})),
             config(v2(Destination={"Bucket": DEST, "ReplicationTime": RTC, "Metrics": METRICS})), "Rules[0].Destination.ReplicationTime"),
    "E121": (config(v2(Destination={"Bucket": DEST, "ReplicationTime": RTC, "Metrics": {**METRICS, "Status": "Disabled"}})),
             config(v2(Destination={"Bucket": DEST, "ReplicationTime": RTC, "Metrics": METRICS})), "Rules[0].Destination.Metrics.Status"),
    "E122": (config(v2(Destination={"Bucket": DEST, "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 10}},
                                    "Metrics": METRICS})),
             config(v2(Destination={"Bucket": DEST, "ReplicationTime": RTC, "Metrics": METRICS})),
             "Rules[0].Destination.ReplicationTime.Time.Minutes"),
    "E130": (config(v2(SourceSelectionCriteria={"SseKmsEncryptedObjects": {"Status": "Enabled"}})),
             config(v2(SourceSelectionCriteria={"SseKmsEncryptedObjects": {"Status": "Enabled"}},
                       Destination={"Bucket": DEST, "EncryptionConfiguration": {"ReplicaKmsKeyID": "arn:aws:kms:us-west-2:1:key/k"}})),
             "Rules[0].Destination.EncryptionConfiguration"),
    "E131": (config(v2(Destination={"Bucket": DEST, "AccessControlTranslation": {"Owner": "Destination"}})),
             config(v2(Destination={"Bucket": DEST, "Account": "444455556666", "AccessControlTranslation": {"Owner": "Destination"}})),
             "Rules[0].Destination.Account"),
    "E132": (config(v2(Destination={"Bucket": DEST, "StorageClass": "FSX_OPENZFS"})),
             config(v2(Destination={"Bucket": DEST, "StorageClass": "FSX_ONTAP"})), "Rules[0].Destination.StorageClass"),
    "W133": (config(v2(Destination={"Bucket": DEST, "StorageClass": "STANDARD_IAA"})),
             config(v2(Destination={"Bucket": DEST, "StorageClass": "STANDARD_IA"})), "Rules[0].Destination.StorageClass"),
    "E134": (config(v2(Destination={"Bucket": "dest-bucket"})), config(v2()), "Rules[0].Destination.Bucket"),
    "E135": (config(v2(), role="replication-role"), config(v2()), "Role"),
    "E141": (config(v2(ID="x" * 256)), config(v2(ID="x" * 255)), "Rules[0].ID"),
    "E142": (config(v2(Filter={"Prefix": "p" * 1025})), config(v2(Filter={"Prefix": "p" * 1024})), "Rules[0]"),
    "E143": (config(v2(), v2(Priority=2, Filter={"Prefix": "img/"})), config(v2(), v2(ID="r2", Priority=2, Filter={"Prefix": "img/"})),
             "Rules[1].ID"),
    "W150": (config(v2(), v2(ID="r2", Filter={"Prefix": "img/"})), config(v2(), v2(ID="r2", Priority=2, Filter={"Prefix": "img/"})),
             "Rules[1].Priority"),
    "W151": (config(v2(), v2(ID="r2", Filter={"Prefix": "logs/app/"})),
             config(v2(), v2(ID="r2", Filter={"Prefix": "img/"}, Destination={"Bucket": "arn:aws:s3:::other-bucket"})), "Rules[1].Filter"),
    "W152": (config(v2(Priority=5), v2(ID="r2", Priority=1, Filter={"Prefix": "logs/app/"})),
             config(v2(Priority=1), v2(ID="r2", Priority=5, Filter={"Prefix": "logs/app/"})), "Rules[1]"),
    "W160": (config(v2(ExistingObjectReplication={"Status": "Enabled"})), config(v2()), "Rules[0].ExistingObjectReplication"),
}
# E140 (2 MB), E136 (source = destination), E170 (versioning in IaC) need more than one document: tested below.
FORMATS = ["cli-json", "cloudformation"]


def clean(value):
    """A JSON value without the None members the table uses to remove one."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def as_file(document: dict, fmt: str, tmp_path):
    """The configuration as a file of fmt (CloudFormation written by s3repl itself)."""
    text = json.dumps(clean(document), indent=2)
    if fmt != "cli-json":
        (configuration,) = loads(text, "cli-json")
        text = write([configuration.model_copy(update={"bucket": "source-bucket"})], fmt, warn=lambda d: None)
    path = tmp_path / ("c.json" if fmt == "cli-json" else "c.yaml")
    path.write_text(text)
    return path


def test_every_check_is_in_the_table_or_tested_below():
    assert {c.code for c in CHECKS} == set(CASES) | {"E136", "E140", "E170"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", sorted(CASES))
def test_each_check_triggers_and_its_near_miss_does_not(code, fmt, tmp_path):
    trigger, near_miss, path = CASES[code]
    if fmt == "cloudformation" and code in ("W160", "E132", "W133"):
        fmt = "s3-xml"  # CloudFormation cannot hold ExistingObjectReplication, nor these storage classes
    file = as_file(trigger, fmt, tmp_path) if fmt != "s3-xml" else _xml(trigger, tmp_path)
    found = [f for f in validate(file, bucket="source-bucket") if f.code == code]
    assert len(found) == 1, [f.render_finding() for f in validate(file)]
    assert found[0].path == path
    lines = file.read_text().splitlines()
    assert found[0].line is not None and 1 <= found[0].line <= len(lines)
    if path:  # the line names the member, or (a rule, a missing member) opens the block that holds it
        names = {p.split("[")[0] for p in path.split(".")} | {"Id", "TagFilter"}
        line = lines[found[0].line - 1]
        assert any(name in line for name in names) or line.strip() in ("{", "<Rule>") or line.lstrip().startswith("- "), (line, path)
    miss = as_file(near_miss, "cli-json" if fmt == "s3-xml" else fmt, tmp_path)
    assert [f.render_finding() for f in validate(miss, bucket="source-bucket") if f.code == code] == []


def _xml(document, tmp_path):
    (configuration,) = loads(json.dumps(clean(document)), "cli-json")
    path = tmp_path / "c.xml"
    path.write_text(write([configuration], "s3-xml"))
    return path


def test_source_as_its_own_destination(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"Bucket": "dest-bucket", "ReplicationConfiguration": config(v2())}))
    assert [f.code for f in validate(path)] == ["E136"]
    path.write_text(json.dumps({"Bucket": "source-bucket", "ReplicationConfiguration": config(v2())}))
    assert validate(path) == []


def test_over_two_megabytes(tmp_path):
    tags = [{"Key": f"key-{n}-" + "k" * 120, "Value": "v" * 256} for n in range(3)]
    rules = [v2(ID=f"rule-{i:04d}-" + "x" * 200, Priority=i, Filter={"And": {"Prefix": f"p{i:04d}/" + "y" * 1000, "Tags": tags}})
             for i in range(1000)]
    path = tmp_path / "c.json"
    path.write_text(json.dumps(config(*rules)))
    assert [f.code for f in validate(path)] == ["E140"]


@pytest.mark.parametrize("versioning,codes", [("Enabled", []), ("Suspended", ["E170", "E170"])])
def test_versioning_in_a_template(tmp_path, versioning, codes):
    template = f"""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Replica:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {{Status: {versioning}}}
  Source:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {{Status: {versioning}}}
      ReplicationConfiguration:
        Role: {ROLE}
        Rules:
          - {{Id: a, Status: Enabled, Priority: 1, Filter: {{Prefix: ""}}, DeleteMarkerReplication: {{Status: Disabled}},
             Destination: {{Bucket: !GetAtt Replica.Arn}}}}
"""
    path = tmp_path / "t.yaml"
    path.write_text(template)
    found = validate(path)
    assert [f.code for f in found] == codes
    if codes:
        assert [(f.path, f.line) for f in found] == [("Bucket", 9), ("Rules[0].Destination.Bucket", 15)]


@pytest.mark.parametrize("versioned,codes", [(True, []), (False, ["E170"])])
def test_versioning_in_terraform(tmp_path, versioned, codes):
    (tmp_path / "main.tf").write_text(f"""
resource "aws_s3_bucket" "source" {{
  bucket = "source-bucket"
}}

resource "aws_s3_bucket_versioning" "source" {{
  bucket = aws_s3_bucket.source.id
  versioning_configuration {{
    status = "{'Enabled' if versioned else 'Suspended'}"
  }}
}}

resource "aws_s3_bucket_replication_configuration" "this" {{
  bucket = aws_s3_bucket.source.id
  role   = "{ROLE}"
  rule {{
    status = "Enabled"
    filter {{}}
    delete_marker_replication {{
      status = "Disabled"
    }}
    destination {{
      bucket = "{DEST}"
    }}
  }}
}}
""")
    found = validate(tmp_path)
    assert [f.code for f in found] == codes
    if codes:
        assert (found[0].path, found[0].line) == ("Bucket", 14)


def test_every_sample_validates_clean():
    for sample in SAMPLES:
        for path in sorted(sample.iterdir()):
            if path.name != "README.md":
                assert [f.render_finding() for f in validate(path)] == [], path


def test_cli_text_and_json_and_exit_codes(cli, tmp_path):
    bad = as_file(config(v2(Filter=TAG, DeleteMarkerReplication={"Status": "Enabled"})), "cli-json", tmp_path)
    text = cli("validate", bad)
    assert text.exit_code == 1
    line = int(text.stdout.split(":")[1])
    assert '"Status": "Enabled"' in bad.read_text().splitlines()[line - 1]
    assert " E110 Rules[0].DeleteMarkerReplication.Status: " in text.stdout
    assert text.stdout.rstrip().endswith("[https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-marker-replication.html]")
    as_json = json.loads(cli("validate", bad, "--output", "json").stdout)
    assert as_json[0]["code"] == "E110" and as_json[0]["line"] == line
    warn_only = as_file(config(v2(ExistingObjectReplication={"Status": "Enabled"})), "cli-json", tmp_path)
    assert cli("validate", warn_only).exit_code == 0
    assert cli("validate", ROOT / "samples" / "two-destinations" / "main.tf").exit_code == 0
    assert cli("validate", tmp_path / "missing.json").exit_code == 2


def test_botocore_agrees_on_types_and_required_members(tmp_path):
    """What botocore's ParamValidator reports as a type or missing member, our reader refuses (exit 2) too."""
    from botocore.session import get_session
    from botocore.validate import ParamValidator

    from converter.errors import InputError

    shape = get_session().get_service_model("s3").operation_model("PutBucketReplication").input_shape
    mutations = [
        ("Rules", 0, "Priority", "1"), ("Rules", 0, "Status", None), ("Rules", 0, "Destination", None),
        ("Rules", 0, "Destination", "Bucket", None), ("Rules", 0, "Destination", "Account", 1),
        ("Rules", 0, "Filter", "Tag", {"Key": "k"}), ("Role", None), ("Rules", 0, "Filter", "Prefix", 5),
        ("Rules", 0, "DeleteMarkerReplication", "Status", True), ("Rules", 0, "Unknown", "x"),
    ]
    for *where, value in mutations:
        document = copy.deepcopy(config(v2()))
        target = document
        for step in where[:-1]:
            target = target[step]
        target[where[-1]] = value
        document = clean(document)
        report = ParamValidator().validate({"Bucket": "b", "ReplicationConfiguration": document}, shape)
        assert report.has_errors(), where
        with pytest.raises(InputError):
            loads(json.dumps(document), "cli-json")


def test_sarif_output_follows_the_sarif_schema(cli, tmp_path):
    import jsonschema

    schema = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json").read_text())
    bad = as_file(config(v2(Filter=TAG, DeleteMarkerReplication={"Status": "Enabled"}),
                         v2(ID="r2", Priority=1, ExistingObjectReplication={"Status": "Enabled"})), "cli-json", tmp_path)
    result = cli("validate", bad, "--output", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [("E110", "error"), ("W150", "warning"), ("W160", "warning")]
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["region"]["startLine"] >= 1 and location["artifactLocation"]["uri"].endswith("c.json")
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["E110"]["helpUri"] == "https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-marker-replication.html"
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_storage_classes_are_botocores():
    """The storage classes validate knows are the current botocore model's (W133 otherwise)."""
    import botocore.session

    from converter.validate import STORAGE_CLASSES

    enum = botocore.session.get_session().get_service_model("s3").shape_for("StorageClass").enum
    assert STORAGE_CLASSES == set(enum)

