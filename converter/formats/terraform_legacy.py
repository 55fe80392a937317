"""Terraform HCL for AWS provider v3: the replication_configuration block inside aws_s3_bucket."""

from __future__ import annotations

import zlib

from ..errors import Refusal, error
from ..lossy import Loss
from ..model import AndOperator, DeleteMarkerReplication, Filter, ReplicationConfig, Rule
from ..values import Ref
from . import hcl
from .detection import terraform_legacy as detect  # noqa: F401 - formats.detect uses the table, not this module
from .terraform import NORMALIZATIONS as v4_normalizations
from .terraform import Writer, around_items, import_blocks, locator, map_losses, read, read_module, render, snake, versioning  # noqa: F401 - one reader reads v3 too
from .terraform import normalizations_at_work as v4_at_work
from .terraform import provider_view as v4_view

NAME = "terraform-legacy"
MULTI = True
NEEDS_LITERALS = False


def losses(config: ReplicationConfig, options) -> list[Loss]:
    """What provider v3's flat rule cannot hold beyond the grammar's list."""
    found = map_losses(config, options)
    for index, rule in enumerate(config.rules):
        if rule.filter is None and rule.delete_marker_replication is not None:
            found.append(Loss(("rules", index, "delete_marker_replication"),
                              "the provider sends delete_marker_replication_status only on a rule with filter (V2)"))
        present = [name for name in ("prefix", "tag", "and_") if rule.filter and getattr(rule.filter, name) is not None]
        found += [Loss(("rules", index, "filter", extra), "provider v3's filter holds one prefix and one tags map, "
                       f"not {' and '.join(present)} together") for extra in present[1:]]
    return found + _set_losses(config, found)


def _set_losses(config: ReplicationConfig, found: list[Loss]) -> list[Loss]:
    """Rules the inline block's set holds as one element with an earlier rule: the provider sends that rule once.

    The inline `rules` is a TypeSet without its own hash function, so terraform-plugin-sdk keys each element by
    SerializeResourceForHash: every field in name order as `name:value;`, unset fields as zero values, defaults
    applied, nothing escaped (helper/schema/serialize.go). Rules equal once read that way (prefix unset and "",
    metrics minutes unset and 15, ...) and rules whose values contain the separators `;` `:` `<>()[]` so that the
    texts coincide are one element; the provider sends one of them and the other is lost without a word."""
    from ..lossy import apply_all

    written = apply_all(config, found)  # what --allow-lossy writes: the other losses applied first
    first: dict[int, int] = {}
    out = []
    for index, rule in enumerate(written.rules):
        key = zlib.crc32(_hash_text(_rule(rule), _RULE).encode())  # hashcode.String: the set's key is the CRC-32
        if key in first:
            out.append(Loss(("rules", index), f"provider 5.x's inline block holds rules as a set, and this rule is the "
                            f"same element as rules[{first[key]}] (terraform-plugin-sdk keys a rule by the unescaped "
                            "text of its fields, unset ones as empty): the provider would send only one of them"))
        first.setdefault(key, index)
    return out


# The inline block's schema in provider 5.x (resourceBucket in internal/service/s3/bucket.go): field -> kind, where a
# kind is "s" (string), "i" (number), "b" (bool), "m" (map), a nested block's schema, or (kind, default).
_RTC = {"minutes": ("i", 15), "status": ("s", "Enabled")}
_RULE = {
    "delete_marker_replication_status": "s",
    "destination": {"access_control_translation": {"owner": "s"}, "account_id": "s", "bucket": "s", "metrics": _RTC,
                    "replica_kms_key_id": "s", "replication_time": _RTC, "storage_class": "s"},
    "filter": {"prefix": "s", "tags": "m"}, "id": "s", "prefix": "s", "priority": "i",
    "source_selection_criteria": {"sse_kms_encrypted_objects": {"enabled": "b"}}, "status": "s",
}


def _hash_text(body: list, schema: dict) -> str:
    """SerializeResourceForHash of an HCL body as the SDK reads it (zero values for what is unset, defaults applied)."""
    values: dict = {}
    for name, value in body:
        if isinstance(value, hcl.Block):
            values.setdefault(name, []).append(value.body)
        else:
            values[name] = value
    out = []
    for name in sorted(schema):
        kind, default = schema[name] if isinstance(schema[name], tuple) else (schema[name], None)
        value = values.get(name, default)
        if isinstance(kind, dict):  # a nested block: a list of objects
            text = "(" + "".join(f"<{_hash_text(item, kind)}>;" for item in value or ()) + ")"
        elif kind == "m":
            text = "[" + "".join(f"{k}:{_scalar(v)};" for k, v in sorted((value or {}).items())) + "]"
        elif kind == "b":
            text = "1" if value else "0"
        else:
            text = _scalar(value if value is not None else (0 if kind == "i" else ""))
        out.append(f"{name}:{text};")
    return "".join(out)


def _scalar(value) -> str:
    if isinstance(value, Ref):  # unknown until apply: the same reference is the same value, others cannot be told
        return "\0" + value.display()  # NUL: no literal S3 text holds it
    return str(value).lower() if isinstance(value, bool) else str(value)


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
    items, imports = [], []
    for config in configs:
        bucket, body = config.bucket, []
        if isinstance(bucket, Ref) and bucket.kind == "resource" and (bucket.resource_type or "") in ("aws_s3_bucket", "AWS::S3::Bucket"):
            name = writer.unique(snake(bucket.target.rsplit(".", 1)[-1]))
            bucket = bucket.default
        else:
            name = writer.resource_name(config)
        if bucket is None:  # Terraform would create a bucket with a random name
            raise Refusal(error("needs-bucket", "aws_s3_bucket needs its name, and the input has none",
                                hint="pass --bucket NAME"))
        body += around_items(config, ("provider",))  # the other meta-arguments are declared losses (lossy.CARRIED)
        body.append(("bucket", bucket))
        # https://registry.terraform.io/providers/hashicorp/aws/3.76.1/docs/resources/s3_bucket#versioning
        body.append(("versioning", hcl.Block([("enabled", True)])))
        rules = [("rules", hcl.Block(_rule(rule), spaced=True)) for rule in config.rules]
        body.append(("replication_configuration", hcl.Block([("role", config.role), *rules], spaced=True)))
        items.append(("resource", hcl.Block(body, ("aws_s3_bucket", name), spaced=True)))
        if options.imports:  # the bucket itself: provider v3 keeps versioning and replication in it
            imports += import_blocks(config, name, ("aws_s3_bucket",))
    items += imports
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
