"""Terraform HCL for AWS provider v3: the replication_configuration block inside aws_s3_bucket."""

from __future__ import annotations

from ..lossy import Loss
from ..model import AndOperator, DeleteMarkerReplication, Filter, ReplicationConfig, Rule
from ..values import Ref
from . import hcl
from .terraform import Writer, locator, read, read_module, render, snake, versioning  # noqa: F401 - one reader reads v3 too
from .terraform import map_losses
from .terraform import NORMALIZATIONS as v4_normalizations
from .terraform import normalizations_at_work as v4_at_work
from .terraform import provider_view as v4_view

NAME = "terraform-legacy"
MULTI = True
NEEDS_LITERALS = False


def detect(text: str, filename: str) -> float:
    """Never preferred by detection: the terraform reader reads v3 blocks."""
    return 0.0


def losses(config: ReplicationConfig, options) -> list[Loss]:
    """What provider v3's flat rule cannot hold beyond the grammar's list."""
    found = map_losses(config, options)
    for index, rule in enumerate(config.rules):
        status = rule.delete_marker_replication.status if rule.delete_marker_replication else None
        if rule.filter is None and status == "Disabled":
            found.append(Loss(("rules", index, "delete_marker_replication"),
                              "provider v3 cannot say Disabled on a V1 rule (it only has delete_marker_replication_status = \"Enabled\")"))
        present = [name for name in ("prefix", "tag", "and_") if rule.filter and getattr(rule.filter, name) is not None]
        found += [Loss(("rules", index, "filter", extra), "provider v3's filter holds one prefix and one tags map, "
                       f"not {' and '.join(present)} together") for extra in present[1:]]
    return found


def _filter(flt: Filter) -> list:
    tags, prefix = flt.selected_tags(), flt.key_prefix()
    body: list = [("prefix", prefix if prefix is not None else "")]  # filter {} may reach provider v3 as no filter
    if tags:
        body.append(("tags", {t.key: t.value for t in tags}))
    return body


def _rule(rule: Rule) -> list:
    body: list = [(name, getattr(rule, name)) for name in ("id", "priority", "prefix", "status")
                  if getattr(rule, name) is not None]
    if rule.delete_marker_replication and rule.delete_marker_replication.status == "Enabled":
        body.append(("delete_marker_replication_status", "Enabled"))
    if rule.filter is not None:
        body.append(("filter", hcl.Block(_filter(rule.filter))))
    if rule.source_selection_criteria is not None:
        sse = rule.source_selection_criteria.sse_kms_encrypted_objects
        inner = [("sse_kms_encrypted_objects", hcl.Block([("enabled", sse.status == "Enabled")]))] if sse else []
        body.append(("source_selection_criteria", hcl.Block(inner)))
    body.append(("destination", hcl.Block(_destination(rule))))
    return body


def _destination(rule: Rule) -> list:
    destination = rule.destination
    body: list = [("bucket", destination.bucket)]
    if destination.storage_class is not None:
        body.append(("storage_class", destination.storage_class))
    if destination.encryption_configuration and destination.encryption_configuration.replica_kms_key_id is not None:
        body.append(("replica_kms_key_id", destination.encryption_configuration.replica_kms_key_id))
    if destination.account is not None:
        body.append(("account_id", destination.account))
    if destination.access_control_translation:
        body.append(("access_control_translation", hcl.Block([("owner", destination.access_control_translation.owner)])))
    for name, block, inner in (("replication_time", destination.replication_time, "time"),
                               ("metrics", destination.metrics, "event_threshold")):
        if block is not None:
            minutes = getattr(block, inner)
            items = [("status", block.status)] + ([("minutes", minutes.minutes)] if minutes else [])
            body.append((name, hcl.Block(items)))
    return body


def write(configs: list[ReplicationConfig], options) -> str:
    """A .tf file with one aws_s3_bucket per configuration, versioning on, replication inline."""
    writer = Writer(configs, options.warn)
    items = []
    for config in configs:
        bucket, body = config.bucket, []
        if isinstance(bucket, Ref) and bucket.kind == "resource" and (bucket.resource_type or "") in ("aws_s3_bucket", "AWS::S3::Bucket"):
            name = writer.unique(snake(bucket.target.rsplit(".", 1)[-1]))
            bucket = bucket.default
        else:
            name = writer.resource_name(config)
        if bucket is not None:
            body.append(("bucket", bucket))
        # https://registry.terraform.io/providers/hashicorp/aws/3.76.1/docs/resources/s3_bucket#versioning
        body.append(("versioning", hcl.Block([("enabled", True)])))
        rules = [("rules", hcl.Block(_rule(rule), spaced=True)) for rule in config.rules]
        body.append(("replication_configuration", hcl.Block([("role", config.role), *rules], spaced=True)))
        items.append(("resource", hcl.Block(body, ("aws_s3_bucket", name), spaced=True)))
    return render(writer, items) + (f"\n{options.appendix}" if options.appendix else "")


def _legacy_filter(rule: Rule) -> Rule:
    """A filter is sent as And (with Prefix, "" when none) when it has tags, else as Prefix ("" when none)."""
    if rule.filter is None:
        return rule
    tags, prefix = rule.filter.selected_tags(), rule.filter.key_prefix()
    prefix = prefix if prefix is not None else ""
    flt = Filter(and_=AndOperator(prefix=prefix, tags=tuple(tags))) if tags else Filter(prefix=prefix)
    return rule.model_copy(update={"filter": flt}) if flt != rule.filter else rule


def _legacy_delete_markers(rule: Rule) -> Rule:
    """A V2 rule is sent with DeleteMarkerReplication Disabled unless delete_marker_replication_status is Enabled."""
    if rule.filter is None:
        return rule
    enabled = rule.delete_marker_replication is not None and rule.delete_marker_replication.status == "Enabled"
    marker = DeleteMarkerReplication(status="Enabled" if enabled else "Disabled")
    return rule.model_copy(update={"delete_marker_replication": marker}) if marker != rule.delete_marker_replication else rule


# What provider 5.x sends for the inline block (expandBucketReplicationRules in
# https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/s3/bucket.go).
NORMALIZATIONS = {**{k: v for k, v in v4_normalizations.items() if k not in ("filter-choice", "empty-criteria")},
                  "legacy-filter": _legacy_filter, "legacy-delete-markers": _legacy_delete_markers}


def provider_view(config: ReplicationConfig) -> ReplicationConfig:
    """The configuration as the provider sends the inline block."""
    return v4_view(config, NORMALIZATIONS)


def normalizations_at_work(config: ReplicationConfig) -> set[str]:
    """The names of the normalizations that change this configuration on its way to S3."""
    return v4_at_work(config, NORMALIZATIONS)
