"""V1/V2 schema detection, the faithful upgrade V1 -> V2, and the downgrade V2 -> V1 or its refusal."""

from __future__ import annotations

from typing import Literal

from .errors import Diagnostic, Refusal, error
from .grammar import api_path
from .model import DeleteMarkerReplication, Filter, ReplicationConfig, Rule

Schema = Literal["auto", "v1", "v2"]
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-add-config.html#replication-backward-compat-considerations
_COMPAT = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-add-config.html"


def rule_version(rule: Rule) -> Literal["v1", "v2"]:
    """V2 when the rule has a Filter (even an empty one), V1 otherwise."""
    return "v2" if rule.filter is not None else "v1"


def versions(config: ReplicationConfig) -> set[str]:
    """The schema versions a configuration's rules use."""
    return {rule_version(rule) for rule in config.rules}


def mixed_warning(config: ReplicationConfig) -> Diagnostic | None:
    """A warning when V1 and V2 rules are mixed (undocumented; S3 may reject it)."""
    if versions(config) != {"v1", "v2"}:
        return None
    v1 = [api_path(("rules", i)) for i, rule in enumerate(config.rules) if rule_version(rule) == "v1"]
    return error("mixed-schema", f"V1 rules ({', '.join(v1)}) are mixed with V2 rules", severity="warning",
                 hint="convert with --schema v2 to upgrade the V1 rules faithfully")


def upgrade(config: ReplicationConfig) -> ReplicationConfig:
    """Every V1 rule as its V2 equivalent: Filter.Prefix, delete markers Enabled, a distinct Priority."""
    taken = {rule.priority for rule in config.rules if rule.priority is not None}
    free = (n for n in range(1, 10_000) if n not in taken)
    rules = []
    for rule in config.rules:
        if rule_version(rule) == "v1":
            # V1 replicates delete markers from user deletes; V2 does only when told to.
            rule = rule.model_copy(update={
                "prefix": None,
                "filter": Filter(prefix=rule.prefix if rule.prefix is not None else ""),
                "delete_marker_replication": DeleteMarkerReplication(status="Enabled"),
                "priority": rule.priority if rule.priority is not None else next(free),
            })
        rules.append(rule)
    return config.model_copy(update={"rules": tuple(rules)})


def _downgrade_blockers(rule: Rule) -> list[str]:
    reasons = []
    flt = rule.filter
    if flt.tag is not None or flt.and_ is not None:
        reasons.append("it filters by tags, which V1 cannot")
    if (rule.delete_marker_replication or DeleteMarkerReplication()).status != "Enabled":
        reasons.append("DeleteMarkerReplication is not Enabled, and V1 always replicates delete markers")
    ssc = rule.source_selection_criteria
    if ssc is not None and ssc.replica_modifications is not None:
        reasons.append("ReplicaModifications is not allowed in V1")
    if rule.destination.replication_time is not None or rule.destination.metrics is not None:
        reasons.append("Replication Time Control and metrics need V2")
    return reasons


def downgrade(config: ReplicationConfig) -> ReplicationConfig:
    """Every V2 rule as V1 when that is exact; otherwise Refusal naming each rule and reason."""
    problems = []
    for index, rule in enumerate(config.rules):
        if rule_version(rule) == "v2":
            problems += [error("downgrade", f"cannot be V1: {why}", path=api_path(("rules", index)), hint=_COMPAT)
                         for why in _downgrade_blockers(rule)]
    buckets = {str(rule.destination.bucket) for rule in config.rules}
    if len(buckets) > 1:
        problems.append(error("downgrade", f"V1 allows one destination bucket; this has {len(buckets)}", hint=_COMPAT))
    prefixes = [(i, r.filter.prefix or "") for i, r in enumerate(config.rules)
                if r.filter is not None and r.filter.tag is None and r.filter.and_ is None]
    for i, p in prefixes:
        for j, q in prefixes:
            if i < j and isinstance(p, str) and isinstance(q, str) and (p.startswith(q) or q.startswith(p)):
                problems.append(error("downgrade", f"its prefix overlaps {api_path(('rules', j))}; in V2 Priority "
                                      "decides which rule applies, V1 has no priority", path=api_path(("rules", i))))
    if problems:
        raise Refusal(problems)
    rules = [rule if rule_version(rule) == "v1" else rule.model_copy(update={
        "filter": None, "prefix": rule.filter.prefix or "", "priority": None, "delete_marker_replication": None,
    }) for rule in config.rules]
    return config.model_copy(update={"rules": tuple(rules)})


def apply_schema(config: ReplicationConfig, schema: Schema) -> ReplicationConfig:
    """The configuration in the asked schema version ('auto' keeps what it has)."""
    return {"auto": lambda c: c, "v1": downgrade, "v2": upgrade}[schema](config)
