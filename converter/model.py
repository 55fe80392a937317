"""The canonical model: replication configurations as frozen pydantic objects, and its JSON form."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .values import Value

MODEL_VERSION = 1
Status = Literal["Enabled", "Disabled"]


class _Frozen(BaseModel):
    # defer_build: a conversion builds its objects with model_construct after grammar.to_model has checked every
    # member, so most runs never pay for pydantic's schemas (about 70 ms of a cold start).
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


class Tag(_Frozen):
    """One object tag a filter selects on."""

    key: Value
    value: Value


class AndOperator(_Frozen):
    """Filter.And: a prefix and tags that must all match; tag order is kept as read."""

    prefix: Value | None = None
    tags: tuple[Tag, ...] | None = None

    @field_validator("tags")
    @classmethod
    def _no_empty_tags(cls, tags):
        # S3 XML flattens Tags, so an empty list cannot be told from none: hold both as None.
        return tags or None


class Filter(_Frozen):
    """A V2 rule filter: at most one of prefix, tag, and (S3 rejects more)."""

    prefix: Value | None = None
    tag: Tag | None = None
    and_: AndOperator | None = Field(default=None, alias="and")

    def key_prefix(self) -> Value | None:
        """The key prefix the filter selects on (its own, or its And's)."""
        return self.and_.prefix if self.and_ else self.prefix

    def selected_tags(self) -> list[Tag]:
        """The tags the filter selects on (its Tag, or its And's tags)."""
        return [self.tag] if self.tag else list(self.and_.tags or ()) if self.and_ else []


class Toggle(_Frozen):
    """A block that holds only a required Status (SSE-KMS objects, replica modifications...)."""

    status: Status


class DeleteMarkerReplication(_Frozen):
    """DeleteMarkerReplication: its Status is optional in the API model."""

    status: Status | None = None


class SourceSelectionCriteria(_Frozen):
    """Which extra source objects are replicated."""

    sse_kms_encrypted_objects: Toggle | None = None
    replica_modifications: Toggle | None = None


class AccessControlTranslation(_Frozen):
    """Owner override: replicas become owned by the destination account."""

    owner: Literal["Destination"]


class EncryptionConfiguration(_Frozen):
    """The KMS key that encrypts replicas."""

    replica_kms_key_id: Value | None = None


class Minutes(_Frozen):
    """ReplicationTimeValue: a number of minutes (S3 accepts only 15)."""

    minutes: int | None = None


class ReplicationTime(_Frozen):
    """S3 Replication Time Control."""

    status: Status
    time: Minutes


class Metrics(_Frozen):
    """Replication metrics and their event threshold."""

    status: Status
    event_threshold: Minutes | None = None


class Destination(_Frozen):
    """Where a rule replicates to."""

    bucket: Value  # a bucket ARN
    account: Value | None = None
    storage_class: str | None = None  # free text: newer API models add classes
    access_control_translation: AccessControlTranslation | None = None
    encryption_configuration: EncryptionConfiguration | None = None
    replication_time: ReplicationTime | None = None
    metrics: Metrics | None = None


class Rule(_Frozen):
    """One replication rule; V1 when it has no filter, V2 when it has one."""

    id: Value | None = None
    priority: int | None = None
    prefix: Value | None = None  # V1 only (deprecated in the API)
    filter: Filter | None = None
    status: Status
    source_selection_criteria: SourceSelectionCriteria | None = None
    existing_object_replication: Toggle | None = None
    destination: Destination
    delete_marker_replication: DeleteMarkerReplication | None = None


class Around(_Frozen):
    """What surrounds the configuration in its IaC source and deploys with it: a Terraform meta-argument of the
    replication resource (provider, depends_on, lifecycle) or a CloudFormation attribute of the bucket
    (DeletionPolicy, UpdateReplacePolicy, Condition, DependsOn). Written back in its own language; any other
    target declares it a loss."""

    language: Literal["terraform", "cloudformation"]
    name: str
    value: str  # JSON text of the value as read (python-hcl2's form for Terraform, the template's for CloudFormation)


class ReplicationConfig(_Frozen):
    """One bucket's replication configuration, with the request members that travel with it."""

    bucket: Value | None = None  # the source bucket name (or reference); None when the input has none
    origin: str | None = None  # where it came from: a logical ID or a Terraform resource address
    # What reading decided by evaluation: CloudFormation conditions and the parameters they read (NAME=value, ...), or
    # what a Terraform module's evaluation expanded (a module call, count/for_each, dynamic blocks) and its inputs.
    # A target gets the values chosen, not the choice, so writing declares it (converter/lossy.py).
    evaluated: str | None = None
    role: Value
    # S3 allows 1 to 1,000 rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-add-config.html
    rules: tuple[Rule, ...] = Field(min_length=1, max_length=1000)
    token: Value | None = None  # object-lock token (a request header)
    expected_bucket_owner: Value | None = None
    checksum_algorithm: str | None = None
    content_md5: str | None = None  # the digest of the original request body: no target can keep it
    around: tuple[Around, ...] | None = None  # meta-arguments and resource attributes of the IaC source

    @field_validator("around")
    @classmethod
    def _no_empty_around(cls, around):
        return around or None


class Document(_Frozen):
    """The `model` format: a versioned list of configurations."""

    version: Literal[1] = MODEL_VERSION
    configurations: tuple[ReplicationConfig, ...]


def dump(configs: list[ReplicationConfig]) -> dict:
    """The JSON form of a list of configurations (absent members omitted)."""
    doc = Document(configurations=tuple(configs))
    return doc.model_dump(mode="json", by_alias=True, exclude_none=True)
