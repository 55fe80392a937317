"""What the AWS provider sends to S3 for a Terraform configuration: its normalizations, one named function each."""

from __future__ import annotations

from ..model import Filter, ReplicationConfig, Rule


# What provider 5.x (tested: 5.100) sends for what a configuration says, one named normalization each; the grammars'
# "normalizes" entries name them (`s3repl formats` prints their text). Expand* functions of
# https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/s3/bucket_replication_configuration.go
def _v2_priority(rule: Rule) -> Rule:
    """A V2 rule without priority is sent with Priority 0 (the Go zero value)."""
    return rule.model_copy(update={"priority": 0}) if rule.filter is not None and rule.priority is None else rule


def _v1_priority(rule: Rule) -> Rule:
    """A rule without filter (V1) is sent without Priority: the provider sets it only beside a filter."""
    return rule.model_copy(update={"priority": None}) if rule.filter is None and rule.priority is not None else rule


def _v1_prefix(rule: Rule) -> Rule:
    """A V1 rule without prefix is sent with Prefix "" (S3 answers MalformedXML to a rule with neither)."""
    return rule.model_copy(update={"prefix": ""}) if rule.filter is None and rule.prefix is None else rule


def _empty_id(rule: Rule) -> Rule:
    """An empty id is not sent (the provider omits "")."""
    return rule.model_copy(update={"id": None}) if rule.id == "" else rule


def _empty_criteria(rule: Rule) -> Rule:
    """An empty source_selection_criteria {} block is not sent."""
    criteria = rule.source_selection_criteria
    empty = criteria is not None and criteria.sse_kms_encrypted_objects is None and criteria.replica_modifications is None
    return rule.model_copy(update={"source_selection_criteria": None}) if empty else rule


def _filter_choice(rule: Rule) -> Rule:
    """The filter is sent with one member: tag over and over prefix; and {} (and with only prefix "") counts as none,
    and a filter with neither tag nor and is sent with its prefix, "" when it has none; but Terraform hands the
    provider no block for filter {} or filter { prefix = "" }, which it sends as an empty Filter."""
    flt = rule.filter
    if flt is None or flt == Filter():
        return rule
    if flt == Filter(prefix=""):
        return rule.model_copy(update={"filter": Filter()})
    and_ = flt.and_
    if and_ is not None and not and_.tags and and_.prefix in (None, ""):
        and_ = None  # and {}: Terraform hands the provider no block
    if flt.tag is not None:
        kept = Filter(tag=flt.tag)
    elif and_ is not None:
        kept = Filter(and_=and_.model_copy(update={"prefix": None}) if and_.prefix == "" else and_)
    else:
        kept = Filter(prefix=flt.prefix if flt.prefix is not None else "")
    return rule.model_copy(update={"filter": kept}) if kept != flt else rule


NORMALIZATIONS = {"v2-priority": _v2_priority, "v1-priority": _v1_priority, "v1-prefix": _v1_prefix,
                  "empty-id": _empty_id, "empty-criteria": _empty_criteria, "filter-choice": _filter_choice}


def normalizations_at_work(config: ReplicationConfig, normalizations: dict | None = None) -> set[str]:
    """The names of the normalizations that change this configuration on its way to S3."""
    found = set()
    for rule in config.rules:
        for name, normalize in (normalizations or NORMALIZATIONS).items():
            if normalize(rule) != rule:
                found.add(name)
            rule = normalize(rule)
    return found


def provider_view(config: ReplicationConfig, normalizations: dict | None = None) -> ReplicationConfig:
    """The configuration as the AWS provider sends it to S3 (every normalization applied, in order)."""
    rules = []
    for rule in config.rules:
        for normalize in (normalizations or NORMALIZATIONS).values():
            rule = normalize(rule)
        rules.append(rule)
    return config.model_copy(update={"rules": tuple(rules)})
