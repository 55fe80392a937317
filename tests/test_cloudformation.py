"""CloudFormation: cfn-lint accepts what we write, cfn-flip reads our YAML as our JSON, intrinsics stay references."""

from __future__ import annotations

import json

import pytest
from cfn_tools import load_yaml
from cfnlint.api import ManualArgs, lint
from conftest import ROOT, SAMPLES, carried_by, expected, expressible, without_origin, yaml_bomb
from hypothesis import HealthCheck, given, settings
from strategies import configs

from converter import loads, read, write

REFS = ROOT / "samples" / "cfn-references" / "template.yaml"
THREE = ROOT / "samples" / "cfn-three-buckets" / "template.yaml"
CONDITIONS = ROOT / "samples" / "cfn-conditions" / "template.json"
quiet = {"warn": lambda d: None}


def errors_of(template_text: str) -> list[str]:
    """cfn-lint's errors (not warnings) for a template."""
    matches = lint(template_text, config=ManualArgs(regions=["us-east-1"]))
    return [f"{m.rule.id} {m.message}" for m in matches if m.rule.id.startswith("E")]


def test_cfn_lint_accepts_every_template_we_write():
    for sample in SAMPLES:
        for fmt in ("cloudformation", "cloudformation-json"):
            assert errors_of(write(carried_by(fmt, expected(sample)), fmt, **quiet)) == [], (sample.name, fmt)


def test_cfn_lint_accepts_templates_holding_every_feature_and_many_buckets():
    every = [c.model_copy(update={"bucket": f"bucket-{i}", "origin": None})
             for i, c in enumerate(c for sample in SAMPLES for c in carried_by("cloudformation", expected(sample)))]
    text = write(every, "cloudformation", **quiet)
    assert errors_of(text) == []
    assert text.count("Type: AWS::S3::Bucket") == len(every)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_cfn_flip_reads_our_yaml_as_our_json(sample):
    configs = carried_by("cloudformation", expected(sample))
    ours = load_yaml(write(configs, "cloudformation", **quiet))
    assert json.loads(json.dumps(ours)) == json.loads(write(configs, "cloudformation-json", **quiet))


def test_intrinsics_become_references_not_strings():
    (config,) = read(REFS)
    assert config.origin == "OrdersBucket"
    assert config.role.kind == "resource" and config.role.display() == "ReplicationRole.Arn"
    rules = {r.id: r for r in config.rules}
    assert rules["same-stack-replica"].destination.bucket.default.display() == "arn:${AWS::Partition}:s3:::acme-orders-replica"
    invoices = rules["other-account"].destination
    assert invoices.bucket.display() == "arn:${AWS::Partition}:s3:::acme-${Environment}-invoices-${AWS::Region}"
    assert invoices.account.kind == "parameter" and invoices.account.default == "444455556666"
    assert rules["imported"].destination.bucket.kind == "import"
    assert rules["joined"].destination.bucket.display() == "arn:aws:s3:::${Environment}-joined"
    assert rules["joined"].filter.prefix == "${literal}/"  # a plain string, not a Sub


def test_literal_formats_resolve_what_the_template_defines_and_list_the_rest(cli):
    result = cli("convert", REFS, "--to", "json")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Role: error: ReplicationRole.Arn is a reference and cli-json needs a literal (pass --var ReplicationRole.Arn=VALUE)",
        "Rules[0].Destination.Bucket: error: AWS::Partition is a reference and cli-json needs a literal (pass --var AWS::Partition=VALUE)",
        "Rules[1].Destination.Bucket: error: AWS::Partition is a reference and cli-json needs a literal (pass --var AWS::Partition=VALUE)",
        "Rules[1].Destination.Bucket: error: AWS::Region is a reference and cli-json needs a literal (pass --var AWS::Region=VALUE)",
        "Rules[1].Destination.EncryptionConfiguration.ReplicaKmsKeyID: error: ReplicaKeyArn is a reference and cli-json needs a literal (pass --var ReplicaKeyArn=VALUE)",
        "Rules[2].Destination.Bucket: error: SharedReplicaBucketArn is a reference and cli-json needs a literal (pass --var SharedReplicaBucketArn=VALUE)",
    ]
    done = cli("convert", REFS, "--to", "json", "--shape", "cli-input", "--var", "ReplicationRole.Arn=arn:aws:iam::1:role/r",
               "--var", "AWS::Partition=aws", "--var", "AWS::Region=eu-west-1", "--var", "ReplicaKeyArn=arn:aws:kms:k",
               "--var", "SharedReplicaBucketArn=arn:aws:s3:::shared")
    assert done.exit_code == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["Bucket"] == "acme-orders-prod"  # !Sub with the parameter's default
    rules = out["ReplicationConfiguration"]["Rules"]
    assert [r["Destination"]["Bucket"] for r in rules] == [
        "arn:aws:s3:::acme-orders-replica", "arn:aws:s3:::acme-prod-invoices-eu-west-1", "arn:aws:s3:::shared",
        "arn:aws:s3:::prod-joined"]
    assert rules[1]["Filter"]["And"]["Tags"][1] == {"Key": "env", "Value": "prod"}


def test_an_opaque_expression_is_named_by_its_field_path(cli, tmp_path):
    path = tmp_path / "t.yaml"  # a Mappings lookup by the stack's Region, which nobody gave: kept whole
    path.write_text("Mappings:\n  Roles: {us-east-1: {Arn: arn:aws:iam::1:role/r}}\nResources:\n  Data:\n"
                    "    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration: {Status: Enabled}\n"
                    "      ReplicationConfiguration:\n"
                    "        Role: !FindInMap [Roles, !Ref AWS::Region, Arn]\n"
                    "        Rules: [{Status: Enabled, Priority: 0, Filter: {}, DeleteMarkerReplication: {Status: Disabled},"
                    " Destination: {Bucket: 'arn:aws:s3:::data-replica'}}]\n")
    result = cli("convert", path, "--to", "xml")
    assert result.exit_code == 1
    assert "Role: error: the expression {\"Fn::FindInMap\"" in result.stderr and "(pass --var Role=VALUE)" in result.stderr
    assert cli("convert", path, "--to", "xml", "--bucket", "data", "--var", "Role=arn:aws:iam::1:role/x").exit_code == 0


def test_a_template_with_several_buckets_writes_one_file_per_bucket(cli, tmp_path):
    result = cli("convert", THREE, "--to", "xml", "-o", f"{tmp_path}/", "--allow-lossy")  # DeletionPolicy is lost
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme-assets.xml", "acme-logs.xml"]
    picked = cli("convert", THREE, "--to", "json", "--bucket", "LogsBucket", "--allow-lossy")
    assert picked.exit_code == 0 and json.loads(picked.stdout)["Rules"][1]["ID"] == "audit-logs"


@pytest.mark.parametrize("path", [REFS, THREE, CONDITIONS], ids=lambda p: p.parent.name)
def test_cloudformation_round_trip_keeps_every_field_and_reference(path):
    for fmt in ("cloudformation", "cloudformation-json"):
        # evaluated conditions are declared by writing (tested apart); a Condition is a declared loss
        configs = carried_by(fmt, [c.model_copy(update={"evaluated": None}) for c in read(path)])
        assert loads(write(configs, fmt, **quiet), fmt) == configs


@pytest.mark.parametrize("transform", [lambda t: t.replace("\n", "\r\n"), lambda t: "\ufeff" + t],
                         ids=["crlf", "bom"])
def test_crlf_and_bom(tmp_path, transform):
    path = tmp_path / "t.yaml"
    path.write_bytes(transform(THREE.read_text()).encode("utf-8"))
    assert read(path) == read(THREE)


@pytest.mark.parametrize("name,content,message", [
    ("broken-yaml", "Resources:\n  A: {Type: AWS::S3::Bucket\n", "t.yaml:3:1: error: YAML: did not find expected ',' or '}'"),
    ("alias-bomb", "AWSTemplateFormatVersion: '2010-09-09'\n" + yaml_bomb(9) + "Resources: {}\n",
     "the document expands to more than 2,000,000 values"),
    ("wrong-type", "Resources:\n  Source:\n    Type: AWS::S3::Bucket\n    Properties:\n      ReplicationConfiguration:\n"
     "        Role: r\n        Rules:\n          - Status: Enabled\n            Destination: [arn]\n",
     "t.yaml:9:13: Resources.Source.Properties.ReplicationConfiguration.Rules[0].Destination: error: expected an object, got a list"),
    ("unknown-property", "Resources:\n  Source:\n    Type: AWS::S3::Bucket\n    Properties:\n      ReplicationConfiguration:\n"
     "        Role: r\n        Rules:\n          - Status: Enabled\n            ID: x\n            Destination: {Bucket: b}\n",
     "t.yaml:9:13: Resources.Source.Properties.ReplicationConfiguration.Rules[0].ID: error: unknown member 'ID' (did you mean 'Id'?)"),
    ("undefined-ref", "Resources:\n  Source:\n    Type: AWS::S3::Bucket\n    Properties:\n      ReplicationConfiguration:\n"
     "        Role: !Ref Nope\n        Rules:\n          - Status: Enabled\n            Destination: {Bucket: b}\n",
     "t.yaml:6:9: Resources.Source.Properties.ReplicationConfiguration.Role: error: Ref names 'Nope', which the template does not define"),
])
def test_bad_templates_exit_2_with_the_path_inside_the_template(cli, tmp_path, name, content, message):
    path = tmp_path / "t.yaml"
    path.write_text(content)
    result = cli("convert", path, "--to", "json", "--from", "cfn")
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_a_template_without_replication_exits_1(cli, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n")
    result = cli("convert", path, "--to", "json")
    assert result.exit_code == 1
    assert "no AWS::S3::Bucket in the template has a ReplicationConfiguration" in result.stderr


def test_what_cloudformation_cannot_express_is_refused_and_named(cli, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"Role": "arn:aws:iam::111122223333:role/r", "Rules": [
        {"ID": "a", "Priority": 1, "Filter": {}, "Status": "Enabled", "ExistingObjectReplication": {"Status": "Enabled"},
         "Destination": {"Bucket": "arn:aws:s3:::dest-bucket", "StorageClass": "EXPRESS_ONEZONE",
                         "EncryptionConfiguration": {}},
         "DeleteMarkerReplication": {"Status": "Disabled"}}]}))
    result = cli("convert", path, "--to", "cfn", "--bucket", "src")
    assert result.exit_code == 1 and result.stdout == ""
    assert [line.split(": error")[0] for line in result.stderr.splitlines() if ": error" in line] == [
        "Rules[0].ExistingObjectReplication", "Rules[0].Destination.StorageClass",
        "Rules[0].Destination.EncryptionConfiguration"]
    lossy_run = cli("convert", path, "--to", "cfn", "--bucket", "src", "--allow-lossy")
    assert lossy_run.exit_code == 0 and lossy_run.stderr.count("warning: dropped") == 3
    assert "ExistingObjectReplication" not in lossy_run.stdout and "StorageClass" not in lossy_run.stdout
    assert errors_of(lossy_run.stdout) == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(request=True))
def test_model_cloudformation_model(config):
    config = expressible(config, "cloudformation")
    for fmt in ("cloudformation", "cloudformation-json"):
        assert without_origin(loads(write([config], fmt), fmt)) == [config]


@pytest.mark.parametrize("text", ["Yes\n", "A\n", "plain\n", "yes", "a: b", "- x", "#c", "0x1F", "2010-09-09", "~", "@x", "é"])
def test_yaml_scalars_read_back_exactly(text):
    """Found by hypothesis: "Yes\\n" passed the plain-scalar pattern, whose $ also matches before a final newline."""
    import yaml

    from converter.formats.cfn_yaml import dump, loader

    assert yaml.load(dump({"k": text, text: "v"}), Loader=loader()) == {"k": text, text: "v"}
