"""The IAM documents as CloudFormation, Terraform or an AWS CLI script (converter.iam builds them as JSON)."""

from __future__ import annotations

import json
import re
import shlex

from .formats import hcl, json_text
from .formats.cfn_yaml import dump as yaml_dump
from .formats.cloudformation import pascal
from .formats.terraform import snake
from .model import ReplicationConfig

TARGETS = ("json", "cloudformation", "terraform", "cli-script")


def _role(config: ReplicationConfig) -> tuple[str, str]:
    """The role's path and name from its ARN, so that what these documents create is the role the configuration names."""
    match = re.fullmatch(r"arn:aws[a-z-]*:iam::\d{12}:role(/(?:.*/)?)([^/]+)", str(config.role))
    return (match.group(1), match.group(2)) if match else ("/", f"{config.bucket}-replication"[:64])


def _bucket_of(arn: str) -> str:
    return arn.split(":::", 1)[-1]


def _destinations(docs: dict) -> list[tuple[str, dict]]:
    return [(name.split(":", 1)[1], doc) for name, doc in docs.items() if name.startswith("destination-bucket-policy:")]


def _destination_buckets(config: ReplicationConfig) -> list[str]:
    return sorted({_bucket_of(r.destination.bucket) for r in config.rules if isinstance(r.destination.bucket, str)})


def as_json(config: ReplicationConfig, docs: dict) -> dict[str, str]:
    """One JSON file per document."""
    return {f"{_safe(config.bucket)}.{_safe(name)}.json": json_text(doc, indent=2) for name, doc in docs.items()}


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)).strip("._")


def role_resource(config: ReplicationConfig, docs: dict) -> dict:
    """The AWS::IAM::Role with its policies, named as the configuration's role."""
    path, role_name = _role(config)
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": role_name, "Path": path, "AssumeRolePolicyDocument": docs["trust-policy"],
        "Policies": [{"PolicyName": "s3-replication", "PolicyDocument": docs["permissions-policy"]}]}}
    if "batch-permissions-policy" in docs:
        role["Properties"]["Policies"].append({"PolicyName": "s3-batch-replication",
                                               "PolicyDocument": docs["batch-permissions-policy"]})
    return role


def as_cloudformation(config: ReplicationConfig, docs: dict) -> dict[str, str]:
    """The source account's template (the role) and one template per destination account (its bucket policy);
    each deploys in its own account."""
    resources = {"ReplicationRole": role_resource(config, docs)}
    outputs = {"ReplicationRoleArn": {"Description": "Use as the replication configuration's Role",
                                      "Value": {"Fn::GetAtt": ["ReplicationRole", "Arn"]}}}
    files = {f"{_safe(config.bucket)}.source.yaml": yaml_dump({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"The replication role of {config.bucket} (s3repl)",
        "Resources": resources, "Outputs": outputs})}
    for bucket, policy in _destinations(docs):
        files[f"{_safe(bucket)}.destination.yaml"] = yaml_dump({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"Deploy in the account of {bucket}: lets the source role replicate into it (s3repl)",
            "Resources": {"ReplicationBucketPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
                "Bucket": bucket, "PolicyDocument": policy}}}})
    return files


def _statement_blocks(document: dict) -> list:
    """aws_iam_policy_document statement blocks for a policy document."""
    blocks = []
    for statement in document["Statement"]:
        body: list = [("sid", statement["Sid"]), ("effect", statement["Effect"]),
                      ("actions", hcl.Expr(_list(statement["Action"])))]
        if "Resource" in statement:
            body.append(("resources", hcl.Expr(_list(statement["Resource"]))))
        for kind, principal in statement.get("Principal", {}).items():
            body.append(("principals", hcl.Block([("type", kind), ("identifiers", hcl.Expr(_list(principal)))])))
        for test, conditions in statement.get("Condition", {}).items():
            for variable, values in conditions.items():
                body.append(("condition", hcl.Block([("test", test), ("variable", variable),
                                                     ("values", hcl.Expr(_list(values)))])))
        blocks.append(("statement", hcl.Block(body)))
    return blocks


def _list(values) -> str:
    values = values if isinstance(values, list) else [values]
    return "[" + ", ".join(f'"{hcl.escape(v)}"' for v in values) + "]"


def as_terraform(config: ReplicationConfig, docs: dict) -> dict[str, str]:
    """aws_iam_role with data "aws_iam_policy_document" and aws_iam_role_policy, versioning on both buckets, and
    the destination's aws_s3_bucket_policy (for the destination account's provider)."""
    name = snake(str(config.bucket))
    items = [
        ("data", hcl.Block(_statement_blocks(docs["trust-policy"]), ("aws_iam_policy_document", f"{name}_trust"), True)),
        ("data", hcl.Block(_statement_blocks(docs["permissions-policy"]), ("aws_iam_policy_document", f"{name}_replication"),
                           True)),
        ("resource", hcl.Block([("name", _role(config)[1]), ("path", _role(config)[0]),
                                ("assume_role_policy", hcl.Expr(f"data.aws_iam_policy_document.{name}_trust.json"))],
                               ("aws_iam_role", f"{name}_replication"), True)),
        ("resource", hcl.Block([("name", "s3-replication"), ("role", hcl.Expr(f"aws_iam_role.{name}_replication.id")),
                                ("policy", hcl.Expr(f"data.aws_iam_policy_document.{name}_replication.json"))],
                               ("aws_iam_role_policy", f"{name}_replication"), True)),
    ]
    for label, bucket in [("source", str(config.bucket))] + [(snake(b), b) for b in _destination_buckets(config)]:
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html: both need versioning.
        items.append(("resource", hcl.Block([("bucket", bucket), ("versioning_configuration",
                                                                   hcl.Block([("status", "Enabled")]))],
                                            ("aws_s3_bucket_versioning", f"{name}_{label}"), True)))
    for bucket, policy in _destinations(docs):
        items.append(("data", hcl.Block(_statement_blocks(policy), ("aws_iam_policy_document", f"{snake(bucket)}_replica"),
                                        True)))
        items.append(("resource", hcl.Block([
            ("bucket", bucket), ("policy", hcl.Expr(f"data.aws_iam_policy_document.{snake(bucket)}_replica.json"))],
            ("aws_s3_bucket_policy", f"{snake(bucket)}_replica"), True)))
    text = "\n".join(hcl.render(items, lambda ref: ref.display())) + "\n"
    if _destinations(docs):
        text = ("# The aws_s3_bucket_policy and the destination's aws_s3_bucket_versioning belong to the destination\n"
                "# account: give them a provider for it (provider = aws.destination).\n") + text
    return {f"{_safe(config.bucket)}.iam.tf": text}


def as_cli_script(config: ReplicationConfig, docs: dict, replication_json: str) -> dict[str, str]:
    """A bash script of AWS CLI calls, with the JSON documents it reads beside it."""
    files = as_json(config, docs)
    prefix = _safe(config.bucket)
    path, role_name = _role(config)
    q = shlex.quote
    lines = ["#!/usr/bin/env bash", f"# S3 replication of {_comment(config.bucket)}, written by s3repl. Run from this folder.",
             "set -euo pipefail", 'cd "$(dirname "$0")"', "",
             f"aws iam create-role --role-name {q(role_name)} --path {q(path)} "
             f"--assume-role-policy-document {q(f'file://{prefix}.trust-policy.json')}",
             f"aws iam put-role-policy --role-name {q(role_name)} --policy-name s3-replication "
             f"--policy-document {q(f'file://{prefix}.permissions-policy.json')}"]
    if "batch-permissions-policy" in docs:
        lines.append(f"aws iam put-role-policy --role-name {q(role_name)} --policy-name s3-batch-replication "
                     f"--policy-document {q(f'file://{prefix}.batch-permissions-policy.json')}")
    other_accounts = {bucket for bucket, _ in _destinations(docs)}
    for bucket in [str(config.bucket)] + _destination_buckets(config):
        if bucket in other_accounts:
            lines.append(f"# with credentials of the account that owns {_comment(bucket)}:")
        lines.append(f"aws s3api put-bucket-versioning --bucket {q(bucket)} --versioning-configuration Status=Enabled")
        if bucket in other_accounts:
            policy_file = f"file://{prefix}.{_safe('destination-bucket-policy:' + bucket)}.json"
            lines.append(f"aws s3api put-bucket-policy --bucket {q(bucket)} --policy {q(policy_file)}")
    lines.append(f"aws s3api put-bucket-replication --bucket {q(str(config.bucket))} "
                 f"--replication-configuration {q(f'file://{prefix}.replication.json')}")
    files[f"{prefix}.replication.json"] = replication_json
    files[f"{prefix}.replicate.sh"] = "\n".join(lines) + "\n"
    return files


def _comment(value) -> str:
    """A value for a shell comment: on one line, whatever it holds (a newline would start a command)."""
    text = str(value)
    return text if text.isprintable() and text.isascii() else json.dumps(text)


def render(target: str, config: ReplicationConfig, docs: dict) -> dict[str, str]:
    """File name -> text for one configuration's documents in a target."""
    if target == "json":
        return as_json(config, docs)
    if target == "cloudformation":
        return as_cloudformation(config, docs)
    if target == "terraform":
        return as_terraform(config, docs)
    from . import write

    return as_cli_script(config, docs, write([config], "cli-json", warn=lambda d: None))





def bundle(configs: list[ReplicationConfig], fmt: str, options, warn, variables: dict) -> tuple[list, dict, dict]:
    """--with-iam: the configurations pointing at the role written beside them, the writer options that add it,
    and the extra files (for formats that hold only the configuration)."""
    from .formats import canonical_name
    from .grammar import api_path
    from .iam import documents
    from .values import Ref, resolve_all

    fmt = canonical_name(fmt)
    extra_files, resources, appendix, out = {}, {}, [], []
    for config in configs:
        docs = documents(resolve_all(config, variables, api_path)[0], options)
        if any(name.startswith("destination-bucket-policy:") for name in docs):
            from .errors import error

            warn(error("other-account", "a destination is in another account: its bucket policy deploys there; "
                       "write it with s3repl iam", severity="warning"))
        if fmt.startswith("cloudformation"):
            logical_id = pascal(str(config.bucket)) + "ReplicationRole"
            resources[logical_id] = role_resource(config, docs)
            config = config.model_copy(update={"role": Ref(kind="resource", target=logical_id, attribute="Arn",
                                                           resource_type="AWS::IAM::Role")})
        elif fmt.startswith("terraform"):
            hcl_text = as_terraform(config, docs)[f"{_safe(config.bucket)}.iam.tf"]
            if fmt == "terraform-json":
                extra_files[f"{_safe(config.bucket)}.iam.tf"] = hcl_text  # HCL beside .tf.json: one module
            else:
                appendix.append(hcl_text)
            config = config.model_copy(update={"role": Ref(
                kind="resource", target=f"aws_iam_role.{snake(str(config.bucket))}_replication", attribute="arn",
                resource_type="aws_iam_role")})
        else:
            extra_files.update(as_json(config, docs))
        out.append(config)
    return out, {"resources": resources, "appendix": "\n".join(appendix)}, extra_files
