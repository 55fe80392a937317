"""The IAM documents as CloudFormation, Terraform or an AWS CLI script (converter.iam builds them as JSON)."""

from __future__ import annotations

import json
import re
import shlex

from .formats import json_text
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


# CloudFormation cannot change what another account (or another stack) owns: a destination's bucket policy deploys
# from a template in that account, and a replica key's policy is the key's own KeyPolicy, which the user merges the
# statement into. Both are kept as template Metadata where no template of ours can hold them as resources.
OTHER_ACCOUNTS = "S3replOtherAccounts"
REPLACES = ("An AWS::S3::BucketPolicy REPLACES the bucket's existing policy: add its existing statements first. "
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucketpolicy.html")
MERGE_KEY = ("Merge each statement into the KeyPolicy of its key (the key's own stack or console): CloudFormation "
             "cannot edit another account's key, and replacing a key policy can lock its administrators out.")


def other_accounts(pairs: list[tuple[ReplicationConfig, dict]]) -> dict:
    """Account -> what deploys there for all the configurations (the bucket policies one bucket needs merged, each
    replica key's statements), for template Metadata."""
    policies, statements = {}, {}
    for config, docs in pairs:
        accounts = _accounts(config)
        for bucket, policy in _destinations(docs):
            policies.setdefault((accounts.get(bucket, "unknown"), bucket), []).append(policy)
        for key, account, statement in _key_statements(docs):
            statements.setdefault((account, key), []).append({"Statement": [statement]})
    out: dict = {}
    for (account, bucket), found in policies.items():
        out.setdefault(account, {"Note": REPLACES}).setdefault("BucketPolicies", {})[bucket] = merged(found)
    for (account, key), found in statements.items():
        entry = out.setdefault(account, {"Note": ""})
        entry["Note"] = f"{entry['Note']} {MERGE_KEY}".strip() if MERGE_KEY not in entry["Note"] else entry["Note"]
        entry.setdefault("KeyPolicyStatements", {})[key] = merged(found)["Statement"]
    return out


def merged(policies: list[dict]) -> dict:
    """One bucket policy from the policies several configurations need on the same bucket: a statement they share
    once, the others' Sids numbered (Sids must be unique within a policy)."""
    statements, seen = [], set()
    for number, policy in enumerate(policies, start=1):
        for statement in policy["Statement"]:
            body = json.dumps({k: v for k, v in statement.items() if k != "Sid"}, sort_keys=True)
            if body not in seen:
                seen.add(body)
                statements.append(statement if number == 1 else {**statement, "Sid": f"{statement['Sid']}{number}"})
    return {**policies[0], "Statement": statements}


def as_cloudformation(config: ReplicationConfig, docs: dict) -> dict[str, str]:
    """The source account's template (the role) and one template per destination account (its bucket policy, and
    the replica-key statements to merge as Metadata); each deploys in its own account."""
    resources = {"ReplicationRole": role_resource(config, docs)}
    outputs = {"ReplicationRoleArn": {"Description": "Use as the replication configuration's Role",
                                      "Value": {"Fn::GetAtt": ["ReplicationRole", "Arn"]}}}
    files = {f"{_safe(config.bucket)}.source.yaml": yaml_dump({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"The replication role of {config.bucket} (s3repl)",
        "Resources": resources, "Outputs": outputs})}
    keys = _key_statements(docs)
    for bucket, policy in _destinations(docs):
        template: dict = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"Deploy in the account of {bucket}: lets the source role replicate into it (s3repl)"}
        used = {r.destination.encryption_configuration.replica_kms_key_id for r in config.rules
                if r.destination.encryption_configuration and _bucket_of(str(r.destination.bucket)) == bucket}
        statements = {key: [statement] for key, _, statement in keys if key in used}  # the keys its rules encrypt with
        if statements:
            template["Metadata"] = {OTHER_ACCOUNTS: {"Note": MERGE_KEY, "KeyPolicyStatements": statements}}
        template["Resources"] = {"ReplicationBucketPolicy": {
            "Type": "AWS::S3::BucketPolicy", "Metadata": {"s3repl": {"Note": REPLACES}},
            "Properties": {"Bucket": bucket, "PolicyDocument": policy}}}
        files[f"{_safe(bucket)}.destination.yaml"] = "# " + REPLACES.split(": ")[0] + ".\n" + yaml_dump(template)
    return files


def _accounts(config: ReplicationConfig) -> dict[str, str]:
    """Destination bucket name -> its account, where the configuration names both as literals."""
    return {_bucket_of(r.destination.bucket): r.destination.account for r in config.rules
            if isinstance(r.destination.bucket, str) and isinstance(r.destination.account, str)}


def _key_statements(docs: dict) -> list[tuple[str, str, dict]]:
    """(key ARN, its account, the statement its key policy needs) for each replica key in another account."""
    return [(name.split(":", 1)[1], name.split(":")[5], doc) for name, doc in docs.items()
            if name.startswith("kms-key-policy-statement:")]


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


def render_all(target: str, pairs: list[tuple[ReplicationConfig, dict]]) -> list[dict[str, str]]:
    """Per configuration, file name -> text of its documents in a target (Terraform's files make one module)."""
    if target == "terraform":
        from .iam_terraform import files

        return files(pairs)
    return [render(target, config, docs) for config, docs in pairs]


def render(target: str, config: ReplicationConfig, docs: dict) -> dict[str, str]:
    """File name -> text for one configuration's documents in a target."""
    if target == "json":
        return as_json(config, docs)
    if target == "cloudformation":
        return as_cloudformation(config, docs)
    if target == "terraform":
        return render_all(target, [(config, docs)])[0]
    from . import write

    return as_cli_script(config, docs, write([config], "cli-json", warn=lambda d: None))





def notes(config: ReplicationConfig, docs: dict, target: str) -> list:
    """Warnings for what another account must do: its bucket policy REPLACES the existing one, its replica key's
    policy needs a statement merged in. target: terraform, cloudformation (--with-iam), cloudformation-iam, json."""
    from .errors import error
    from .iam_terraform import alias, key_label

    accounts = _accounts(config)
    kind = ("AWS::S3::BucketPolicy" if target.startswith("cloudformation") else "aws_s3_bucket_policy"
            if target == "terraform" else "a bucket policy put")
    out = []
    for bucket, _ in _destinations(docs):
        where = {"terraform": f"written with provider aws.{alias(accounts.get(bucket, 'ACCOUNT'))}",
                 "cloudformation": f"write it with s3repl iam --to cloudformation; Metadata {OTHER_ACCOUNTS} holds it",
                 "cloudformation-iam": "its own template"}.get(target, "its own document")
        out.append(error("other-account", f"{bucket} is in another account: its bucket policy deploys there ({where}); "
                         f"{kind} REPLACES the bucket's existing policy", severity="warning",
                         hint="add the existing statements to it before applying"))
    for key, account, _ in _key_statements(docs):
        where = {"terraform": f"output {key_label(config, key)}_policy_statement",
                 "cloudformation": f"Metadata {OTHER_ACCOUNTS}",
                 "cloudformation-iam": f"Metadata {OTHER_ACCOUNTS} of the destination template"}.get(
                     target, "document kms-key-policy-statement")
        out.append(error("replica-key-policy", f"the replica key {key} is in account {account}: its key policy must "
                         f"let the source role encrypt replicas ({where})", severity="warning",
                         hint="merge the statement into the key's policy; s3repl does not replace a key policy"))
    return out


def bundle(configs: list[ReplicationConfig], fmt: str, options, warn, variables: dict,
           imports: bool = False) -> tuple[list, dict, dict]:
    """--with-iam: the configurations pointing at the role written beside them, the writer options that add it,
    and the extra files (for formats that hold only the configuration); imports: the writer versions (and adopts)
    the source buckets itself."""
    from .formats import canonical_name
    from .grammar import api_path
    from .iam import documents
    from .values import Ref, resolve_all

    fmt = canonical_name(fmt)
    kind = next((k for k in ("terraform", "cloudformation") if fmt.startswith(k)), "json")
    extra_files, resources, pairs, out = {}, {}, [], []
    for config in configs:
        resolved = resolve_all(config, variables, api_path)[0]
        docs = documents(resolved, options)
        pairs.append((resolved, docs))
        for note in notes(resolved, docs, kind):
            warn(note)
        if fmt.startswith("cloudformation"):
            logical_id = pascal(str(config.bucket)) + "ReplicationRole"
            resources[logical_id] = role_resource(resolved, docs)
            config = config.model_copy(update={"role": Ref(kind="resource", target=logical_id, attribute="Arn",
                                                           resource_type="AWS::IAM::Role")})
        elif fmt.startswith("terraform"):
            config = config.model_copy(update={"role": Ref(
                kind="resource", target=f"aws_iam_role.{snake(str(config.bucket))}_replication", attribute="arn",
                resource_type="aws_iam_role")})
        else:
            extra_files.update(as_json(resolved, docs))
        out.append(config)
    extra: dict = {"resources": resources}
    if fmt.startswith("cloudformation") and (elsewhere := other_accounts(pairs)):
        extra["metadata"] = {OTHER_ACCOUNTS: elsewhere}
    if fmt.startswith("terraform"):
        from .iam_terraform import module_text

        # The writer versions the source buckets itself with --import, and terraform-legacy always (inline versioning):
        # a second resource would manage the same setting.
        versioned = {str(config.bucket) for config, _ in pairs} if imports or fmt == "terraform-legacy" else set()
        hcl_text = module_text(pairs, versioned)  # one module: each provider, versioning and bucket policy once
        if fmt == "terraform-json":
            extra_files[f"{_safe(configs[0].bucket)}.iam.tf"] = hcl_text  # HCL beside .tf.json: one module
        else:
            extra["appendix"] = hcl_text
    return out, extra, extra_files
