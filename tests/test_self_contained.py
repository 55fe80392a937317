"""Written output stands on its own: every Terraform reference resolves beside it (real `terraform validate`), pseudo
parameters map both ways, and CloudFormation stays cfn-lint clean."""

from __future__ import annotations

import json

import pytest
from cfn_tools import load_yaml
from conftest import SAMPLES, expected
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
            text = write(expected(sample), fmt, **quiet)
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


PSEUDO_TF = '''data "aws_region" "here" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

resource "aws_s3_bucket_replication_configuration" "r" {
  bucket = "src-${data.aws_region.here.name}"
  role   = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/r"
  rule {
    status = "Enabled"
    filter {}
    delete_marker_replication {
      status = "Disabled"
    }
    destination {
      bucket = "arn:aws:s3:::dest-bucket"
    }
  }
}
'''


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
