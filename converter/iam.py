"""The IAM documents a replication configuration needs: trust, least-privilege permissions, cross-account policies.

From the S3 User Guide, "Setting up permissions for live replication":
https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import Refusal, UsageError, error
from .grammar import api_path
from .model import ReplicationConfig, Rule

VERSION = "2012-10-17"
KMS_ARN = re.compile(r"^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key/[A-Za-z0-9-]+\Z")
ROLE_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):role/[\w+=,.@/-]+\Z")
BUCKET_ARN = re.compile(r"^arn:(aws[a-z-]*):s3:::([^/]+)\Z")
SOURCE_OBJECT_ACTIONS = ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"]
REPLICA_ACTIONS = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]
OWNER_OVERRIDE = "s3:ObjectOwnerOverrideToBucketOwner"


@dataclass(frozen=True)
class Options:
    """What the configuration does not say: source keys and account, batch replication buckets."""

    source_kms_keys: tuple[str, ...] = ()
    source_account: str | None = None
    batch: bool = False
    manifest_bucket: str | None = None
    report_bucket: str | None = None


@dataclass
class _Destination:
    arn: str
    account: str | None
    prefixes: set = field(default_factory=set)
    owner_override: bool = False
    replica_keys: set = field(default_factory=set)


def _literal(value, path: str) -> str:
    if not isinstance(value, str):
        raise Refusal(error("unresolved-reference", f"{value.display()} is a reference; IAM documents need a literal",
                            path=path, hint=f"pass --var {value.display()}=VALUE"))
    return value


def _prefix(rule: Rule) -> str:
    """The key prefix a rule selects, "" when it selects every key (a tag-only filter included)."""
    if rule.filter is None:
        return _literal(rule.prefix or "", "Prefix")
    prefix = rule.filter.key_prefix()
    return _literal(prefix or "", "Filter.Prefix")


def _objects(bucket_arn: str, prefixes: set) -> list[str]:
    """Object ARNs narrowed to the prefixes, or every object when any rule selects all keys (exact either way)."""
    if "" in prefixes or not prefixes:
        return [f"{bucket_arn}/*"]
    # Sorted, a prefix follows every prefix of it, and the last one kept is the only one it can start with.
    kept: list[str] = []
    for p in sorted(prefixes):
        if not (kept and p.startswith(kept[-1])):
            kept.append(p)
    return [f"{bucket_arn}/{p}*" for p in kept]


def _key_region(arn: str, where: str) -> str:
    """The region of a KMS key ARN; a malformed one is a wrong option (exit 2) or a refused configuration (exit 1)."""
    match = KMS_ARN.match(arn)
    if not match:
        kind = UsageError if where.startswith("--") else Refusal
        raise kind(error("kms-arn", f"{arn!r} is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)",
                         path=where, hint="KMS key policies and conditions need the key ARN, not an alias"))
    return match.group(2)


def documents(config: ReplicationConfig, options: Options = Options()) -> dict[str, dict]:
    """Every document, keyed by name: trust-policy, permissions-policy, and per other-account destination
    destination-bucket-policy:BUCKET and kms-key-policy:KEY; batch-permissions-policy when asked."""
    if not isinstance(config.bucket, str):
        raise Refusal(error("needs-bucket", "IAM documents name the source bucket, and the input has none as a literal",
                            hint="pass --bucket NAME"))
    role = _literal(config.role, "Role")
    role_match = ROLE_ARN.match(role)
    partition = role_match.group(1) if role_match else "aws"
    source_account = options.source_account or (role_match.group(2) if role_match else None)
    source_arn = f"arn:{partition}:s3:::{config.bucket}"

    destinations: dict[str, _Destination] = {}
    source_prefixes, kms_prefixes = set(), set()
    for index, rule in enumerate(config.rules):
        where = api_path(("rules", index))
        prefix = _prefix(rule)
        source_prefixes.add(prefix)
        d = rule.destination
        arn = _literal(d.bucket, f"{where}.Destination.Bucket")
        target = destinations.setdefault(arn, _Destination(arn, d.account if isinstance(d.account, str) else None))
        target.prefixes.add(prefix)
        target.owner_override |= d.access_control_translation is not None
        ssc = rule.source_selection_criteria
        if ssc and ssc.sse_kms_encrypted_objects and ssc.sse_kms_encrypted_objects.status == "Enabled":
            kms_prefixes.add(prefix)
            key = d.encryption_configuration.replica_kms_key_id if d.encryption_configuration else None
            if key is not None:
                target.replica_keys.add(_literal(key, f"{where}.Destination.EncryptionConfiguration.ReplicaKmsKeyID"))

    statements = [
        {"Sid": "ReadSourceBucket", "Effect": "Allow",
         "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": [source_arn]},
        {"Sid": "ReadSourceObjects", "Effect": "Allow", "Action": SOURCE_OBJECT_ACTIONS,
         "Resource": _objects(source_arn, source_prefixes)},
    ]
    by_actions: dict[tuple, list[str]] = {}  # destinations that need the same actions share a statement
    for target in destinations.values():
        actions = tuple(REPLICA_ACTIONS + ([OWNER_OVERRIDE] if target.owner_override else []))
        by_actions.setdefault(actions, []).extend(_objects(target.arn, target.prefixes))
    for number, (actions, resources) in enumerate(by_actions.items(), start=1):
        sid = "ReplicateToDestinations" + ("WithOwnerOverride" if OWNER_OVERRIDE in actions else "")
        statements.append({"Sid": sid if len(by_actions) <= 2 else f"{sid}{number}", "Effect": "Allow",
                           "Action": list(actions), "Resource": resources})
    statements += _kms_statements(config, options, source_arn, kms_prefixes, destinations)

    principals = ["s3.amazonaws.com"] + (["batchoperations.s3.amazonaws.com"] if options.batch else [])
    out = {
        "trust-policy": {"Version": VERSION, "Statement": [
            {"Sid": "S3AssumesTheReplicationRole", "Effect": "Allow", "Principal": {"Service": principals},
             "Action": "sts:AssumeRole"}]},
        "permissions-policy": {"Version": VERSION, "Statement": statements},
    }
    for target in destinations.values():
        if target.account and target.account != source_account:
            name = BUCKET_ARN.match(target.arn).group(2) if BUCKET_ARN.match(target.arn) else target.arn
            out[f"destination-bucket-policy:{name}"] = _destination_policy(role, target)
            for key in sorted(target.replica_keys):
                out[f"kms-key-policy-statement:{key}"] = {
                    "Sid": "LetTheSourceReplicationRoleEncryptReplicas", "Effect": "Allow", "Principal": {"AWS": role},
                    "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": "*"}
    if options.batch:
        out["batch-permissions-policy"] = _batch_policy(source_arn, partition, options)
    return out


def _kms_statements(config, options, source_arn, kms_prefixes, destinations) -> list[dict]:
    """kms:Decrypt on the source keys and kms:Encrypt on each replica key, only when SSE-KMS objects replicate."""
    if not kms_prefixes:
        return []
    if not options.source_kms_keys:
        raise UsageError(error("needs-source-key", "a rule replicates SSE-KMS objects, and the configuration does not "
                               "name the source bucket's KMS keys", hint="pass --source-kms-key ARN (once per key)"))
    statements = []
    for key in options.source_kms_keys:
        region = _key_region(key, "--source-kms-key")
        statements.append({"Sid": f"DecryptSourceObjects{len(statements) + 1}" if len(options.source_kms_keys) > 1
                           else "DecryptSourceObjects", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key],
                           "Condition": {"StringLike": {
                               "kms:ViaService": f"s3.{region}.amazonaws.com",
                               "kms:EncryptionContext:aws:s3:arn": _objects(source_arn, kms_prefixes)}}})
    keys = sorted({key for target in destinations.values() for key in target.replica_keys})
    for number, key in enumerate(keys, start=1):
        region = _key_region(key, "ReplicaKmsKeyID")
        arns = [obj for target in destinations.values() if key in target.replica_keys
                for obj in _objects(target.arn, target.prefixes)]
        statements.append({"Sid": "EncryptReplicas" + (str(number) if len(keys) > 1 else ""), "Effect": "Allow",
                           "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": [key],
                           "Condition": {"StringLike": {"kms:ViaService": f"s3.{region}.amazonaws.com",
                                                        "kms:EncryptionContext:aws:s3:arn": arns}}})
    return statements


def _destination_policy(role: str, target: _Destination) -> dict:
    """The destination bucket's policy in the other account: the source role may replicate into it."""
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-walkthrough-2.html
    actions = ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"] + (
        [OWNER_OVERRIDE] if target.owner_override else [])
    return {"Version": VERSION, "Statement": [
        {"Sid": "SourceRoleReplicatesObjects", "Effect": "Allow", "Principal": {"AWS": role}, "Action": actions,
         "Resource": _objects(target.arn, target.prefixes)},
        {"Sid": "SourceRoleReadsTheBucket", "Effect": "Allow", "Principal": {"AWS": role},
         "Action": ["s3:ListBucket", "s3:GetBucketVersioning", "s3:PutBucketVersioning"], "Resource": [target.arn]},
    ]}


def _batch_policy(source_arn: str, partition: str, options: Options) -> dict:
    """S3 Batch Replication: initiate replication, read the manifest, write the report."""
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-batch-replication-policies.html
    if not options.manifest_bucket or not options.report_bucket:
        raise UsageError(error("needs-batch-buckets", "batch replication needs the manifest and report buckets",
                               hint="pass --manifest-bucket NAME and --report-bucket NAME"))
    return {"Version": VERSION, "Statement": [
        {"Sid": "InitiateReplication", "Effect": "Allow", "Action": ["s3:InitiateReplication"],
         "Resource": [f"{source_arn}/*"]},
        {"Sid": "ReadReplicationAndWriteInventory", "Effect": "Allow",
         "Action": ["s3:GetReplicationConfiguration", "s3:PutInventoryConfiguration"], "Resource": [source_arn]},
        {"Sid": "ReadManifest", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
         "Resource": [f"arn:{partition}:s3:::{options.manifest_bucket}/*"]},
        {"Sid": "WriteReport", "Effect": "Allow", "Action": ["s3:PutObject"],
         "Resource": [f"arn:{partition}:s3:::{options.report_bucket}/*"]},
    ]}
