"""The IAM documents as Terraform: the role and its policies, and for destinations in other accounts a provider per
account, their versioning and bucket policies on it, and the replica keys' statements to merge (never a key policy).

One module holds each provider, destination versioning and bucket policy once, whatever number of configurations
write into it: a second aws_s3_bucket_policy on a bucket would replace the first one's policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .formats import hcl
from .formats.terraform import snake
from .iam_output import _accounts, _destination_buckets, _destinations, _key_statements, _role, _safe, merged
from .model import ReplicationConfig

ROLE_ACCOUNT = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):")


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


def alias(account: str) -> str:
    """The provider alias for the resources of another account (each destination account has its own)."""
    return "destination_" + re.sub(r"[^A-Za-z0-9_]", "_", account)  # an identifier, whatever the input holds


def key_label(config: ReplicationConfig, key: str) -> str:
    """The data source of a replica key's statement: per configuration, as each names its own role."""
    return f"{snake(str(config.bucket))}_replica_" + snake("key_" + key.rsplit("/", 1)[-1])


@dataclass
class Module:
    """What one module holds once: account -> [file, what it owns]; bucket -> [file, account, policies]."""

    accounts: dict = field(default_factory=dict)
    policies: dict = field(default_factory=dict)
    versioned: set = field(default_factory=set)
    file: int = 0  # the configuration being written (the file its first-seen resources go in)

    def provider(self, account: str, what: str | None) -> list:
        """The provider meta-argument for a resource of another account, which gets a provider block."""
        _, owns = self.accounts.setdefault(account, [self.file, []])
        if what and what not in owns:
            owns.append(what)
        return [("provider", hcl.Expr(f"aws.{alias(account)}"))]

    def providers(self, file: int | None = None) -> list:
        """HCL items: per other account, a provider "aws" pinned to it and the variables saying how to reach it."""
        items: list = []
        for account, (first, buckets) in sorted(self.accounts.items()):
            if file is not None and first != file:
                continue
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

    def bucket_policies(self, file: int | None = None) -> list:
        """HCL items: each other-account destination's policy document and aws_s3_bucket_policy, merged once."""
        items: list = []
        for bucket, (first, account, policies) in self.policies.items():
            if file is not None and first != file:
                continue
            meta, label = self.provider(account, bucket), f"{snake(bucket)}_replica"
            items.append(("data", hcl.Block(meta + _statement_blocks(merged(policies)),
                                            ("aws_iam_policy_document", label), True)))
            items.append(("resource", hcl.Block([
                *meta, ("bucket", bucket), ("policy", hcl.Expr(f"data.aws_iam_policy_document.{label}.json"))],
                ("aws_s3_bucket_policy", label), True, comment=(
                    f"This REPLACES the whole bucket policy of {bucket} (account {account}): add its existing\n"
                    "statements to the document above (source_policy_documents) before applying.\n"
                    "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_policy"))))
        return items


def terraform_items(config: ReplicationConfig, docs: dict, module: Module) -> list:
    """aws_iam_role with data "aws_iam_policy_document" and aws_iam_role_policy, versioning on the buckets not
    versioned yet in the module, the replica keys' statements; module gains the other accounts' bucket policies."""
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
    other, accounts = dict(_destinations(docs)), _accounts(config)
    for label, bucket in [("source", str(config.bucket))] + [(snake(b), b) for b in _destination_buckets(config)]:
        if bucket in module.versioned:  # two resources would manage one bucket's versioning
            continue
        module.versioned.add(bucket)
        meta = module.provider(accounts[bucket], bucket) if bucket in other else []
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html: both need versioning.
        items.append(("resource", hcl.Block([*meta, ("bucket", bucket), ("versioning_configuration",
                                                                          hcl.Block([("status", "Enabled")]))],
                                            ("aws_s3_bucket_versioning", f"{name}_{label}"), True)))
    for bucket, policy in other.items():
        module.policies.setdefault(bucket, [module.file, accounts[bucket], []])[2].append(policy)
    source_account = ROLE_ACCOUNT.match(str(config.role))
    for key, account, statement in _key_statements(docs):
        label = key_label(config, key)
        meta = [] if source_account and source_account.group(1) == account else module.provider(account, None)
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
    return items


def module_text(pairs: list[tuple[ReplicationConfig, dict]], versioned: set) -> str:
    """One module's HCL for every configuration (--with-iam): providers, the IAM documents, the bucket policies;
    versioned: buckets whose versioning the module holds already (written with --import)."""
    module = Module(versioned=set(versioned))
    items = []
    for module.file, (config, docs) in enumerate(pairs):
        items += terraform_items(config, docs, module)
    policies = module.bucket_policies()  # first: they register their accounts' providers
    return _hcl(module.providers() + items + policies)


def files(pairs: list[tuple[ReplicationConfig, dict]]) -> list[dict[str, str]]:
    """Per configuration, its .iam.tf; the files make one module, so each provider and shared bucket policy goes
    in the file of the first configuration that needs it."""
    module = Module()
    items = []
    for module.file, (config, docs) in enumerate(pairs):
        items.append(terraform_items(config, docs, module))
    policies = [module.bucket_policies(file) for file in range(len(pairs))]
    return [{f"{_safe(config.bucket)}.iam.tf": _hcl(module.providers(file) + items[file] + policies[file])}
            for file, (config, _) in enumerate(pairs)]


def _hcl(items: list) -> str:
    return "\n".join(hcl.render(items, lambda ref: ref.display())) + "\n"
