"""CloudFormation Conditions, Fn::If with AWS::NoValue at every level, Mappings and parameters, as a stack would decide them."""

from __future__ import annotations

import json

import pytest
from cfnlint.api import ManualArgs, lint
from conftest import ROOT

from converter import read, write
from converter.cloudformation.evaluate import Missing, Stack
from converter.context import ReadContext
from converter.errors import InputError, Refusal
from converter.model import dump

FIXTURES = ROOT / "tests" / "fixtures"
TEMPLATES = [FIXTURES / "cfn-conditions" / "template.yaml", FIXTURES / "cfn-conditions" / "template.json"]
SAMPLE = ROOT / "samples" / "cfn-conditions" / "template.json"
ROLE = {"kind": "resource", "target": "ReplicationRole", "attribute": "Arn", "resource_type": "AWS::IAM::Role"}


def data_bucket(environment: str, evaluated: str, rules: list) -> dict:
    return {"bucket": {"kind": "template", "parts": ["acme-data-", {"kind": "parameter", "target": "Environment",
                                                                    "default": environment}]},
            "origin": "DataBucket", "evaluated": evaluated, "role": ROLE, "rules": rules}


EVERYTHING = {"id": "everything", "priority": 1, "filter": {"prefix": ""}, "status": "Enabled",
              "delete_marker_replication": {"status": "Disabled"}}
AUDIT = {"id": "audit", "priority": 2, "filter": {"prefix": "audit/"}, "status": "Enabled",
         "destination": {"bucket": {"kind": "template", "parts": ["arn:", {"kind": "pseudo", "target": "AWS::Partition"},
                                                                   ":s3:::acme-audit"]}},
         "delete_marker_replication": {"status": "Enabled"}}
REGIONAL = {"bucket": "acme-regional", "origin": "RegionalBucket", "evaluated": "AWS::Region=us-east-1, InUsEast1=true",
            "role": ROLE, "rules": [{"id": "regional", "prefix": "", "status": "Enabled",
                                     "destination": {"bucket": "arn:aws:s3:::acme-regional-replica"}}]}

# --var values -> the exact configurations: the rule-level !If (AuditReplica), the field-level !If (StorageClass), the
# configuration-level !If (Replicate) and the resource Condition (InUsEast1) each taken both ways.
CASES = {
    "defaults": ({"AWS::Region": "eu-west-1"}, [data_bucket(
        "staging", "EnableReplication=true, Replicate=true, Environment=staging, IsProd=false, AuditReplica=false",
        [{**EVERYTHING, "destination": {"bucket": "arn:aws:s3:::acme-replica-staging"}}])]),
    "prod-us-east-1": ({"AWS::Region": "us-east-1", "Environment": "prod"}, [data_bucket(
        "prod", "EnableReplication=true, Replicate=true, Environment=prod, IsProd=true, AuditReplica=true",
        [{**EVERYTHING, "destination": {"bucket": "arn:aws:s3:::acme-replica-prod", "storage_class": "STANDARD_IA"}},
         AUDIT]), REGIONAL]),
    "replication-off": ({"AWS::Region": "us-east-1", "EnableReplication": "false", "Environment": "prod"}, [REGIONAL]),
}


def configs_of(path, variables: dict) -> list[dict]:
    """The configurations read, without the buckets' Condition attributes carried beside them (test_self_contained.py)."""
    configs = dump(read(path, context=ReadContext(variables=variables, environ={})))["configurations"]
    return [{key: value for key, value in config.items() if key != "around"} for config in configs]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.suffix)
@pytest.mark.parametrize("case", CASES)
def test_conditions_decide_the_configurations(path, case):
    variables, expected = CASES[case]
    assert configs_of(path, variables) == expected


@pytest.mark.parametrize("path", [*TEMPLATES, SAMPLE, *sorted((FIXTURES / "cfn-fragment").iterdir())], ids=lambda p: p.name)
def test_cfn_lint_accepts_the_fixtures(path):
    text = path.read_text(encoding="utf-8")
    if "Resources" not in text:  # a fragment: lint it inside a template
        resources = json.loads(text) if path.suffix == ".json" else {"Bucket": __import__("yaml").safe_load(text)}
        text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
    matches = lint(text, config=ManualArgs(regions=["us-east-1"]))
    assert [f"{m.rule.id} {m.message}" for m in matches if m.rule.id[0] in "EW"] == []


def test_every_condition_nobody_can_decide_is_named_with_its_line_and_the_var(cli):
    result = cli("convert", TEMPLATES[0], "--to", "json")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"{TEMPLATES[0]}:21:3: Conditions.InUsEast1: error: condition InUsEast1 (used by Resources.RegionalBucket) "
        "depends on AWS::Region, which nobody gave (pass --var AWS::Region=VALUE)")


def test_an_undecidable_field_level_if_names_the_field_and_the_parameter(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("Parameters:\n  Tier: {Type: String}\nConditions:\n  Cold: !Equals [!Ref Tier, cold]\nResources:\n"
                    "  Data:\n    Type: AWS::S3::Bucket\n    Properties:\n      ReplicationConfiguration:\n"
                    "        Role: arn:aws:iam::1:role/r\n        Rules:\n          - Status: Enabled\n"
                    "            Destination:\n              Bucket: arn:aws:s3:::b\n"
                    "              StorageClass: !If [Cold, GLACIER, !Ref AWS::NoValue]\n")
    with pytest.raises(InputError) as caught:
        read(path)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.line, diagnostic.path, diagnostic.hint) == (4, "Conditions.Cold", "pass --var Tier=VALUE")
    assert "used by Resources.Data.Properties.ReplicationConfiguration.Rules[0].Destination.StorageClass" in diagnostic.message
    assert configs_of(path, {"Tier": "cold"})[0]["rules"][0]["destination"]["storage_class"] == "GLACIER"
    assert "storage_class" not in configs_of(path, {"Tier": "hot"})[0]["rules"][0]["destination"]


def test_a_var_outside_allowed_values_is_refused_naming_the_parameter():
    with pytest.raises(InputError) as caught:
        read(TEMPLATES[0], context=ReadContext(variables={"Environment": "dev", "AWS::Region": "us-east-1"}, environ={}))
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.render() == (
        f"{TEMPLATES[0]}:7:5: Parameters.Environment.AllowedValues: error: --var Environment=dev: 'dev' is not in the "
        "Parameter's AllowedValues (pass --var Environment=VALUE with one of: prod, staging)")


def test_no_bucket_left_under_the_conditions_is_a_refusal():
    with pytest.raises(Refusal, match="under the conditions as given"):
        read(TEMPLATES[0], context=ReadContext(variables={"AWS::Region": "eu-west-1", "EnableReplication": "false"},
                                               environ={}))


def test_writing_an_evaluated_template_is_a_declared_change(cli):
    refused = cli("convert", SAMPLE, "--to", "cloudformation")
    assert refused.exit_code == 1
    assert ("evaluated: error: cannot be written: the input was evaluated (Environment=prod, IsProd=true): "
            "cloudformation gets the values chosen") in refused.stderr
    written = cli("convert", SAMPLE, "--to", "cloudformation", "--allow-lossy")
    assert written.exit_code == 0 and "warning: dropped: the input was evaluated" in written.stderr
    assert "Fn::If" not in written.stdout and "Role: !Ref ProdRoleArn" in written.stdout
    assert json.loads(write(read(SAMPLE), "model"))["configurations"][0]["evaluated"] == "Environment=prod, IsProd=true"


@pytest.mark.parametrize("name,origin", [("bucket.yaml", "Bucket"), ("resources.json", "SourceBucket")])
def test_a_fragment_is_read_as_its_template(name, origin):
    (config,) = read(FIXTURES / "cfn-fragment" / name)
    assert (config.origin, config.rules[0].destination.bucket) == (origin, "arn:aws:s3:::acme-replica")


def test_errors_in_a_fragment_point_into_it(tmp_path):
    path = tmp_path / "bucket.yaml"
    path.write_text((FIXTURES / "cfn-fragment" / "bucket.yaml").read_text().replace("Id: everything", "ID: everything"))
    with pytest.raises(InputError) as caught:
        read(path)
    assert caught.value.diagnostics[0].line == 10
    assert caught.value.diagnostics[0].path == "Properties.ReplicationConfiguration.Rules[0].ID"


STACK = Stack.of({"Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": "a,b,c"},
                                 "Empty": {"Type": "String", "Default": ""}, "Unset": {"Type": "String"}},
                  "Mappings": {"M": {"k": {"list": ["x", "y"]}}},
                  "Conditions": {"Yes": {"Fn::Equals": ["1", 1]}, "No": {"Fn::Not": [{"Condition": "Yes"}]},
                                 "Region": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]},
                                 "Ring": {"Fn::And": [{"Condition": "Ring2"}, {"Condition": "Yes"}]},
                                 "Ring2": {"Condition": "Ring"}}}, {})


@pytest.mark.parametrize("raw,value", [
    ({"Fn::Select": [1, {"Ref": "Names"}]}, "b"),
    ({"Fn::Join": ["-", {"Fn::Split": [",", "p,q"]}]}, "p-q"),
    ({"Fn::Length": {"Fn::FindInMap": ["M", "k", "list"]}}, 2),
    ({"Fn::ToJsonString": {"a": [{"Ref": "Empty"}, 1]}}, '{"a":["",1]}'),
    ({"Fn::Sub": ["${A}-${!Literal}-${Empty}", {"A": {"Fn::Select": [0, {"Ref": "Names"}]}}]}, "a-${Literal}-"),
    ({"Fn::If": ["No", "t", {"Fn::FindInMap": ["M", "nope", "x", {"DefaultValue": "d"}]}]}, "d"),
])
def test_intrinsics_of_known_values(raw, value):
    assert STACK.value(raw) == value


@pytest.mark.parametrize("raw,truth", [
    ({"Fn::Or": [{"Condition": "Region"}, {"Condition": "Yes"}]}, True),  # decided by one operand, Region unknown
    ({"Fn::And": [{"Condition": "Region"}, {"Condition": "No"}]}, False),
    ({"Fn::Equals": [{"Ref": "Empty"}, ""]}, True),
])
def test_and_or_are_decided_as_soon_as_one_operand_decides(raw, truth):
    assert STACK._truth(raw, ()) is truth


@pytest.mark.parametrize("raw,names", [
    ({"Fn::Or": [{"Condition": "Region"}, {"Condition": "No"}]}, ("AWS::Region",)),
    ({"Fn::Equals": [{"Ref": "Unset"}, "x"]}, ("Unset",)),
    ({"Fn::Equals": [{"Fn::GetAtt": ["R", "Arn"]}, "x"]}, ("Fn::GetAtt ['R', 'Arn']",)),
])
def test_what_nobody_gave_is_named(raw, names):
    with pytest.raises(Missing) as caught:
        STACK._truth(raw, ())
    assert caught.value.names == names


def test_conditions_in_a_ring_are_an_error():
    with pytest.raises(InputError, match="conditions refer to each other in a ring: Ring -> Ring2 -> Ring"):
        STACK.condition("Ring", "Resources.X")


def test_a_lookup_the_stack_would_fail_on_is_an_error_at_its_field(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("Mappings:\n  Replica: {prod: {Bucket: arn:aws:s3:::r}}\nResources:\n  Data:\n"
                    "    Type: AWS::S3::Bucket\n    Properties:\n      ReplicationConfiguration:\n"
                    "        Role: arn:aws:iam::1:role/r\n        Rules:\n          - Status: Enabled\n"
                    "            Destination:\n              Bucket: !FindInMap [Replica, staging, Bucket]\n")
    with pytest.raises(InputError) as caught:
        read(path)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.render() == (
        f"{path}:12:15: Resources.Data.Properties.ReplicationConfiguration.Rules[0].Destination.Bucket: error: "
        "Fn::FindInMap: Mappings has no Replica.staging.Bucket (add it to Mappings, or give a DefaultValue)")


TAGGED = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Environment: {Type: String, Default: staging}
Conditions:
  IsProd: !Equals [!Ref Environment, prod]
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Enabled}
      ReplicationConfiguration: !If
        - IsProd
        - !Ref AWS::NoValue
        - Role: arn:aws:iam::111122223333:role/r
          Rules:
            - !If [IsProd, {Status: Enabled, Destination: {Bucket: arn:aws:s3:::prod}}, !Ref AWS::NoValue]
            - Status: Enabled
              Priority: 1
              Filter: {And: {Prefix: a/, TagFilters: [{Key: k, Value: v}]}}
              DeleteMarkerReplication: {Status: Enabled}
              Destination: {Bucket: arn:aws:s3:::replica}
"""


@pytest.mark.parametrize("syntax", ["yaml", "json"])
def test_findings_point_into_the_template_through_if_and_removed_rules(tmp_path, syntax):
    from cfn_tools import dump_json, load_yaml

    from converter import validate
    from converter.sources import locate

    path = tmp_path / f"t.{syntax}"
    text = TAGGED if syntax == "yaml" else dump_json(load_yaml(TAGGED))
    path.write_text(text)
    (finding,) = validate(path)
    assert finding.code == "E110" and finding.path == "Rules[0].DeleteMarkerReplication.Status"
    # The configuration's Rules[0] is the template's second rule, inside the Fn::If's value if false.
    where = locate(text, ("Resources", "Data", "Properties", "ReplicationConfiguration", "Fn::If", 2, "Rules", 1,
                          "DeleteMarkerReplication", "Status"))
    assert (finding.line, finding.column) == where
    assert where[0] == (20 if syntax == "yaml" else text[:text.index('"Enabled"\n', text.index("DeleteMarker"))].count("\n") + 1)
