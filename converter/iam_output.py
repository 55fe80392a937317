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
ROLE_ACCOUNT = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):")


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


def other_accounts(config: ReplicationConfig, docs: dict) -> dict:
    """Account -> what deploys there (bucket policies, replica-key statements), for template Metadata."""
    accounts, out = _accounts(config), {}
    for bucket, policy in _destinations(docs):
        out.setdefault(accounts.get(bucket, "unknown"), {}).setdefault("BucketPolicies", {})[bucket] = policy
    for key, account, statement in _key_statements(docs):
        out.setdefault(account, {}).setdefault("KeyPolicyStatements", {})[key] = statement
    return {account: {"Note": " ".join(note for part, note in (("BucketPolicies", REPLACES), ("KeyPolicyStatements",
                                                                                         MERGE_KEY)) if part in entry),
                      **entry} for account, entry in out.items()}


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
        statements = {key: statement for key, _, statement in keys if key in used}  # the keys its rules encrypt with
        if statements:
            template["Metadata"] = {OTHER_ACCOUNTS: {"Note": MERGE_KEY, "KeyPolicyStatements": statements}}
        template["Resources"] = {"ReplicationBucketPolicy": {
            "Type": "AWS::S3::BucketPolicy", "Metadata": {"s3repl": {"Note": REPLACES}},
            "Properties": {"Bucket": bucket, "PolicyDocument": policy}}}
        files[f"{_safe(bucket)}.destination.yaml"] = "# " + REPLACES.split(": ")[0] + ".\n" + yaml_dump(template)
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


def _accounts(config: ReplicationConfig) -> dict[str, str]:
    """Destination bucket name -> its account, where the configuration names both as literals."""
    return {_bucket_of(r.destination.bucket): r.destination.account for r in config.rules
            if isinstance(r.destination.bucket, str) and isinstance(r.destination.account, str)}


def _key_statements(docs: dict) -> list[tuple[str, str, dict]]:
    """(key ARN, its account, the statement its key policy needs) for each replica key in another account."""
    return [(name.split(":", 1)[1], name.split(":")[5], doc) for name, doc in docs.items()
            if name.startswith("kms-key-policy-statement:")]


def alias(account: str) -> str:
    """The provider alias for the resources of another account (each destination account has its own)."""
    return "destination_" + re.sub(r"[^A-Za-z0-9_]", "_", account)  # an identifier, whatever the input holds


def providers(accounts: dict[str, list[str]]) -> list:
    """HCL items: per other account, a provider "aws" pinned to it and the variables saying how to reach it."""
    items: list = []
    for account, buckets in sorted(accounts.items()):
        name, owns = alias(account), ", ".join(buckets) or "the replica keys"
        variables = {"profile": f"AWS CLI profile with credentials in account {account} (owner of {owns}); null: "
                                "the environment's credentials",
                     "role_arn": f"Role in account {account} that Terraform assumes to manage {owns} (e.g. "
                                 f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole); null: no role assumed",
                     "region": f"Region of {owns} (account {account}); null: the profile's or AWS_REGION"}
        for variable, description in variables.items():
            items.append(("variable", hcl.Block([("type", hcl.Expr("string")), ("default", hcl.Expr("null")),
                                                 ("description", description)], (f"{name}_{variable}",), True)))
        role = f"var.{name}_role_arn"
        # A provider configuration per account, as cross-account replication modules do (a profile or an assumed
        # role per account); allowed_account_ids stops Terraform before it writes into the wrong account:
        # https://registry.terraform.io/providers/hashicorp/aws/latest/docs#allowed_account_ids
        items.append(("provider", hcl.Block([
            ("alias", name), ("region", hcl.Expr(f"var.{name}_region")), ("profile", hcl.Expr(f"var.{name}_profile")),
            ("allowed_account_ids", hcl.Expr(f'["{hcl.escape(account)}"]')),
            ("dynamic", hcl.Block([("for_each", hcl.Expr(f"{role} == null ? [] : [{role}]")),  # only when given
                                   ("content", hcl.Block([("role_arn", hcl.Expr("assume_role.value"))]))],
                                  ("assume_role",))),
        ], ("aws",), True, comment=f"Account {account}, owner of {owns}: the resources there use "
                                    f"provider = aws.{name}.")))
    return items


def terraform_items(config: ReplicationConfig, docs: dict) -> tuple[list, dict[str, list[str]]]:
    """aws_iam_role with data "aws_iam_policy_document" and aws_iam_role_policy, versioning on both buckets, and
    for other accounts the destination's aws_s3_bucket_policy and replica-key statement (with their provider);
    and account -> the buckets or keys that need its provider."""
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
    other = {bucket for bucket, _ in _destinations(docs)}
    accounts, owner = _accounts(config), {}
    source_account = ROLE_ACCOUNT.match(str(config.role))

    def provider(account: str, what: str | None) -> list:
        """The provider meta-argument for a resource of another account."""
        if source_account and source_account.group(1) == account:
            return []
        owns = owner.setdefault(account, [])
        if what and what not in owns:
            owns.append(what)
        return [("provider", hcl.Expr(f"aws.{alias(account)}"))]

    for label, bucket in [("source", str(config.bucket))] + [(snake(b), b) for b in _destination_buckets(config)]:
        meta = provider(accounts[bucket], bucket) if bucket in other else []
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html: both need versioning.
        items.append(("resource", hcl.Block([*meta, ("bucket", bucket), ("versioning_configuration",
                                                                          hcl.Block([("status", "Enabled")]))],
                                            ("aws_s3_bucket_versioning", f"{name}_{label}"), True)))
    for bucket, policy in _destinations(docs):
        meta = provider(accounts[bucket], bucket)
        items.append(("data", hcl.Block(meta + _statement_blocks(policy),
                                        ("aws_iam_policy_document", f"{snake(bucket)}_replica"), True)))
        items.append(("resource", hcl.Block([
            *meta, ("bucket", bucket), ("policy", hcl.Expr(f"data.aws_iam_policy_document.{snake(bucket)}_replica.json"))],
            ("aws_s3_bucket_policy", f"{snake(bucket)}_replica"), True, comment=(
                f"This REPLACES the whole bucket policy of {bucket} (account {accounts[bucket]}): add its existing\n"
                "statements to the document above (source_policy_documents) before applying.\n"
                "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_policy"))))
    for key, account, statement in _key_statements(docs):
        label = _key_label(config, key)
        meta = provider(account, None)
        items.append(("data", hcl.Block(meta + _statement_blocks({"Statement": [statement]}),
                                        ("aws_iam_policy_document", label), True, comment=(
            f"The replica key {key}\nbelongs to account {account}: its key policy must let the source role encrypt\n"
            "replicas (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html).\n"
            "Merge this statement into that key's policy (source_policy_documents of its aws_iam_policy_document).\n"
            "Not written as an aws_kms_key_policy: that resource replaces the key's whole policy, and a key whose\n"
            "policy loses its administrators' statement cannot be managed any more."))))
        items.append(("output", hcl.Block([
            ("description", f"Statement to merge into the key policy of {key} (account {account})"),
            ("value", hcl.Expr(f"data.aws_iam_policy_document.{label}.json"))], (f"{label}_policy_statement",), True)))
    return items, owner


def as_terraform(config: ReplicationConfig, docs: dict, declared: set | None = None) -> dict[str, str]:
    """The IAM documents and what the destination accounts need as one .tf file, with the providers not declared
    yet (declared gains them)."""
    items, accounts = terraform_items(config, docs)
    declared = set() if declared is None else declared
    new = {account: owns for account, owns in accounts.items() if account not in declared}
    declared |= set(new)
    return {f"{_safe(config.bucket)}.iam.tf": _hcl(providers(new) + items)}


def _hcl(items: list) -> str:
    return "\n".join(hcl.render(items, lambda ref: ref.display())) + "\n"


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


def render(target: str, config: ReplicationConfig, docs: dict, declared: set | None = None) -> dict[str, str]:
    """File name -> text for one configuration's documents in a target; declared: the accounts whose Terraform
    provider an earlier configuration's file declares (one module holds each provider once)."""
    if target == "json":
        return as_json(config, docs)
    if target == "cloudformation":
        return as_cloudformation(config, docs)
    if target == "terraform":
        return as_terraform(config, docs, declared)
    from . import write

    return as_cli_script(config, docs, write([config], "cli-json", warn=lambda d: None))





def notes(config: ReplicationConfig, docs: dict, target: str) -> list:
    """Warnings for what another account must do: its bucket policy REPLACES the existing one, its replica key's
    policy needs a statement merged in. target: terraform, cloudformation (--with-iam), cloudformation-iam, json."""
    from .errors import error

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
        where = {"terraform": f"output {_key_label(config, key)}_policy_statement",
                 "cloudformation": f"Metadata {OTHER_ACCOUNTS}",
                 "cloudformation-iam": f"Metadata {OTHER_ACCOUNTS} of the destination template"}.get(
                     target, "document kms-key-policy-statement")
        out.append(error("replica-key-policy", f"the replica key {key} is in account {account}: its key policy must "
                         f"let the source role encrypt replicas ({where})", severity="warning",
                         hint="merge the statement into the key's policy; s3repl does not replace a key policy"))
    return out


def _key_label(config: ReplicationConfig, key: str) -> str:
    """The data source of a replica key's statement: per configuration, as each names its own role."""
    return f"{snake(str(config.bucket))}_replica_" + snake("key_" + key.rsplit("/", 1)[-1])


def bundle(configs: list[ReplicationConfig], fmt: str, options, warn, variables: dict) -> tuple[list, dict, dict]:
    """--with-iam: the configurations pointing at the role written beside them, the writer options that add it,
    and the extra files (for formats that hold only the configuration)."""
    from .formats import canonical_name
    from .grammar import api_path
    from .iam import documents
    from .values import Ref, resolve_all

    fmt = canonical_name(fmt)
    extra_files, resources, metadata, items, accounts, out = {}, {}, {}, [], {}, []
    for config in configs:
        resolved = resolve_all(config, variables, api_path)[0]
        docs = documents(resolved, options)
        kind = next((k for k in ("terraform", "cloudformation") if fmt.startswith(k)), "json")
        for note in notes(resolved, docs, kind):
            warn(note)
        if fmt.startswith("cloudformation"):
            logical_id = pascal(str(config.bucket)) + "ReplicationRole"
            resources[logical_id] = role_resource(resolved, docs)
            metadata.update(other_accounts(resolved, docs))
            config = config.model_copy(update={"role": Ref(kind="resource", target=logical_id, attribute="Arn",
                                                           resource_type="AWS::IAM::Role")})
        elif fmt.startswith("terraform"):
            more, owner = terraform_items(resolved, docs)
            items += more
            for account, what in owner.items():  # one provider per account, whatever number of configurations
                accounts.setdefault(account, []).extend(w for w in what if w not in accounts[account])
            config = config.model_copy(update={"role": Ref(
                kind="resource", target=f"aws_iam_role.{snake(str(config.bucket))}_replication", attribute="arn",
                resource_type="aws_iam_role")})
        else:
            extra_files.update(as_json(resolved, docs))
        out.append(config)
    extra: dict = {"resources": resources}
    if metadata:
        extra["metadata"] = {OTHER_ACCOUNTS: metadata}
    if items:
        hcl_text = _hcl(providers(accounts) + items)
        if fmt == "terraform-json":
            extra_files[f"{_safe(configs[0].bucket)}.iam.tf"] = hcl_text  # HCL beside .tf.json: one module
        else:
            extra["appendix"] = hcl_text
    return out, extra, extra_files
