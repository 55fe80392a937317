"""Written output stands on its own: every Terraform reference resolves beside it (real `terraform validate`), pseudo
parameters map both ways, and CloudFormation stays cfn-lint clean."""

from __future__ import annotations

import json

import pytest
from cfn_tools import load_yaml
from conftest import SAMPLES, carried_by, expected, replication_tf
from test_cloudformation import errors_of

from converter import read, write

quiet = {"warn": lambda d: None}
# Terraform samples refer to their own module (aws_s3_bucket.source...): written beside it, not on their own.
FOREIGN = [s for s in SAMPLES if not s.name.startswith("tf-")]


def _required(text: str, fmt: str) -> list[str]:
    """The variables a written file declares without a default (a module call must set them)."""
    import hcl2

    if fmt == "terraform-json":
        declared = json.loads(text).get("variable", {})
        return [name for name, spec in declared.items() if "default" not in spec]
    return [name.strip('"') for block in hcl2.loads(text).get("variable", []) for name, spec in block.items()
            if "default" not in spec]


def test_every_terraform_output_validates_on_its_own(terraform):
    """CloudFormation, CLI JSON and XML inputs, to terraform and terraform-json: each a module, validated at once."""
    tf = terraform("self-contained")
    calls = []
    for sample in FOREIGN:
        for fmt, name in (("terraform", "main.tf"), ("terraform-json", "main.tf.json")):
            text = write(carried_by(fmt, expected(sample)), fmt, **quiet)
            label = f"{sample.name}_{fmt}".replace("-", "_")
            tf.write(f"{label}/{name}", text)
            arguments = "".join(f'  {variable} = "x"\n' for variable in _required(text, fmt))
            calls.append(f'module "{label}" {{\n  source = "./{label}"\n{arguments}}}\n')
    tf.write("main.tf", "\n".join(calls))
    tf.init()
    tf.run("validate")  # raises with terraform's message naming the module and the reference
    assert len(calls) == 2 * len(FOREIGN) >= 20


def test_with_iam_output_validates_on_its_own(terraform, cli):
    """The role and policies written beside the configuration are what it refers to (cross-account, KMS)."""
    template = SAMPLES[0].parent / "cross-account-kms-owner" / "cloudformation.yaml"
    tf = terraform("self-contained-iam")
    result = cli("convert", template, "--to", "terraform", "--with-iam", "--source-kms-key",
                 "arn:aws:kms:us-east-1:111122223333:key/abcd", "-o", tf.workdir / "main.tf")
    assert result.exit_code == 0, result.output
    assert "role   = aws_iam_role.prod_data_source_replication.arn" in (tf.workdir / "main.tf").read_text("utf-8")
    tf.init()
    tf.run("validate")


def test_template_references_become_described_variables():
    text = write(read(SAMPLES[0].parent / "cfn-references" / "template.yaml"), "terraform", **quiet)
    assert "aws_iam_role.replication_role" not in text and "aws_s3_bucket.replica_bucket" not in text
    assert 'role   = var.replication_role_arn' in text
    assert 'variable "replication_role_arn" {' in text and 'description = "s3repl reference: ' in text
    # The way back: the variable's description brings the template's GetAtt back.
    template = load_yaml(write(read(SAMPLES[0].parent / "cfn-references" / "main.tf"), "cloudformation", **quiet))
    [bucket] = template["Resources"].values()
    role = bucket["Properties"]["ReplicationConfiguration"]["Role"]
    assert role == {"Ref": "ReplicationRoleArn"}  # a Parameter, as the template cannot reach the role either


PSEUDO_TF = ('data "aws_region" "here" {}\ndata "aws_caller_identity" "current" {}\ndata "aws_partition" "current" {}\n\n'
             + replication_tf('"src-${data.aws_region.here.name}"', '"arn:${data.aws_partition.current.partition}:iam::'
                              '${data.aws_caller_identity.current.account_id}:role/r"'))


@pytest.mark.parametrize("fmt", ["cloudformation", "cloudformation-json"])
def test_pseudo_parameters_map_both_ways(fmt, tmp_path):
    source = tmp_path / "main.tf"
    source.write_text(PSEUDO_TF, encoding="utf-8")
    text = write(read(source), fmt, **quiet)
    template = json.loads(text) if fmt.endswith("json") else load_yaml(text)
    assert "Parameters" not in template  # no Parameter stands for what CloudFormation knows itself
    [bucket] = template["Resources"].values()
    assert bucket["Properties"]["BucketName"] == {"Fn::Sub": "src-${AWS::Region}"}
    assert bucket["Properties"]["ReplicationConfiguration"]["Role"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/r"}
    assert errors_of(text) == []
    back = tmp_path / ("template.json" if fmt.endswith("json") else "template.yaml")
    back.write_text(text, encoding="utf-8")
    terraform_text = write(read(back), "terraform", **quiet)
    assert 'bucket = "src-${data.aws_region.current.name}"' in terraform_text
    assert 'data "aws_caller_identity" "current" {}' in terraform_text and "variable" not in terraform_text


# --- nothing dropped around the configuration: meta-arguments and resource attributes ---------------------------

META_TF = replication_tf('"meta-source"', meta="  provider   = aws.central\n  depends_on = [aws_s3_bucket_versioning.source]\n",
                         lifecycle='''  lifecycle {
    prevent_destroy = true
    ignore_changes  = [role]
    precondition {
      condition     = length(var.owner) > 0
      error_message = "owner ${var.owner} is empty"
    }
  }
''')
# What the module around it declares, so that terraform validate can check the references the output keeps.
MODULE = '''provider "aws" {
  alias  = "central"
  region = "us-east-1"
}

variable "owner" {
  type = string
}

resource "aws_s3_bucket_versioning" "source" {
  bucket = "meta-source"
  versioning_configuration {
    status = "Enabled"
  }
}
'''


@pytest.mark.parametrize("fmt,name", [("terraform", "main.tf"), ("terraform-json", "main.tf.json")])
def test_terraform_meta_arguments_are_carried(fmt, name, terraform, tmp_path):
    source = tmp_path / "in.tf"
    source.write_text(META_TF, encoding="utf-8")
    [config] = read(source)
    assert [a.name for a in config.around] == ["provider", "depends_on", "lifecycle"]
    text = write([config], fmt, **quiet)
    [again] = read(_saved(tmp_path, name, text))
    assert again.around == config.around  # HCL and JSON syntax read back the same
    tf = terraform(f"meta-{fmt}")
    tf.write(name, text)
    tf.write("module.tf", MODULE)
    tf.init()
    tf.run("validate")
    if fmt == "terraform":
        assert text.startswith('resource "aws_s3_bucket_replication_configuration" "r" {\n  provider   = aws.central\n'
                               '  depends_on = [aws_s3_bucket_versioning.source]\n')
        assert 'error_message = "owner ${var.owner} is empty"' in text


def _saved(folder, name, text):
    path = folder / "again" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("to", ["cloudformation", "cli-json", "terraform-legacy"])
def test_meta_arguments_without_equivalent_are_refused_each_named(to, cli, tmp_path):
    source = tmp_path / "in.tf"
    source.write_text(META_TF, encoding="utf-8")
    refused = cli("convert", source, "--to", to)
    assert refused.exit_code == 1
    lost = ["depends_on", "lifecycle"] + ([] if to == "terraform-legacy" else ["provider"])
    assert all(f"meta-argument {name} = " in refused.stderr for name in lost), refused.stderr
    lossy = cli("convert", source, "--to", to, "--allow-lossy")
    assert lossy.exit_code == 0 and lossy.stderr.count("warning: dropped: the Terraform meta-argument") == len(lost)
    if to == "terraform-legacy":
        assert "  provider = aws.central\n" in lossy.stdout


ATTRIBUTES_CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  Always: !Equals [a, a]
Resources:
  Other:
    Type: AWS::SNS::Topic
  Source:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    UpdateReplacePolicy: Delete
    Condition: Always
    DependsOn: [Other]
    Properties:
      BucketName: attr-source
      VersioningConfiguration: {Status: Enabled}
      ReplicationConfiguration:
        Role: arn:aws:iam::123456789012:role/replication
        Rules:
          - Status: Enabled
            Prefix: ""
            Destination: {Bucket: "arn:aws:s3:::attr-destination"}
'''


def test_bucket_attributes_carried_to_cloudformation_or_declared(cli, tmp_path):
    source = tmp_path / "template.yaml"
    source.write_text(ATTRIBUTES_CFN, encoding="utf-8")
    refused = cli("convert", source, "--to", "cloudformation")
    assert refused.exit_code == 1 and "attribute Condition = " in refused.stderr and "attribute DependsOn = " in refused.stderr
    assert "DeletionPolicy" not in refused.stderr  # CloudFormation keeps it
    written = cli("convert", source, "--to", "cloudformation", "--allow-lossy")
    assert written.exit_code == 0
    [bucket] = load_yaml(written.stdout)["Resources"].values()
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Delete")
    assert "Condition" not in bucket and "DependsOn" not in bucket
    assert errors_of(written.stdout) == []
    to_terraform = cli("convert", source, "--to", "terraform")
    assert to_terraform.exit_code == 1 and "attribute DeletionPolicy = \"Retain\" has no equivalent in terraform" in \
        to_terraform.stderr


def test_diff_reports_what_differs_around_the_configuration(cli, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "main.tf").write_text(META_TF, encoding="utf-8")
    (b / "main.tf").write_text(META_TF.replace("  depends_on = [aws_s3_bucket_versioning.source]\n", ""), "utf-8")
    result = cli("diff", a / "main.tf", b / "main.tf")
    assert result.exit_code == 1 and "depends_on" in result.stdout, result.stdout
    assert cli("diff", a / "main.tf", a / "main.tf").exit_code == 0
