"""The checks S3 applies to a replication configuration (E: S3 rejects it) and likely mistakes (W)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Callable, Iterable

from .errors import Diagnostic
from .grammar import api_path
from .model import ReplicationConfig, Rule
from .normalize import mixed_warning, rule_version
from .values import Ref, Value

GUIDE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
API = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationRule.html"
# Storage classes the API model lists (botocore's StorageClass enum; tests/test_validate.py keeps them equal); it
# notes FSX_OPENZFS is not accepted for replication.
STORAGE_CLASSES = {"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
                   "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS", "FSX_ONTAP",
                   "AWS_BACKUP_WARM", "AWS_BACKUP_LOW_COST_WARM"}
BUCKET_ARN = re.compile(r"^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\Z")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+\Z")
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Check:
    """One rule: an id (E… rejected by S3, W… probably a mistake), what it checks, the page it comes from."""

    code: str
    summary: str
    link: str
    run: Callable[[ReplicationConfig, "Context"], Iterable[tuple[tuple, str]]]

    @property
    def severity(self) -> str:
        return "error" if self.code.startswith("E") else "warning"


@dataclass(frozen=True)
class Context:
    """What the input says beyond the configuration: whether a bucket it names has versioning Enabled."""

    versioned: Callable[[Value], bool | None] | None = None


CHECKS: list[Check] = []


def check(code: str, summary: str, link: str):
    """Register a check: the function yields (model location, message) per finding."""
    def register(run):
        CHECKS.append(Check(code, summary, link, run))
        return run
    return register


def validate(config: ReplicationConfig, context: Context = Context()) -> list[Diagnostic]:
    """Every finding of every check, errors and warnings, with model locations in `pointer`."""
    return [Diagnostic(code=c.code, message=message, severity=c.severity, path=api_path(loc) or None,
                       hint=c.link, pointer=loc)
            for c in CHECKS for loc, message in c.run(config, context)]


def _rules(config: ReplicationConfig, version: str | None = None):
    return [(("rules", i), r) for i, r in enumerate(config.rules) if version is None or rule_version(r) == version]


def _literal(value) -> str | None:
    return value if isinstance(value, str) else None


def _tags(rule: Rule) -> list:
    flt = rule.filter
    if flt is None:
        return []
    return flt.selected_tags()


def _prefix(rule: Rule) -> Value | None:
    flt = rule.filter
    if flt is None:
        return rule.prefix or ""
    return flt.key_prefix() or ""


# --- V1 and V2 ---------------------------------------------------------------------------------------
V1V2 = GUIDE + "replication-add-config.html#replication-backward-compat-considerations"


@check("E101", "a V2 rule (with Filter) needs Priority", V1V2)
def _v2_priority(config, context):
    return [(loc + ("priority",), "a rule with a Filter needs a Priority") for loc, r in _rules(config, "v2")
            if r.priority is None]


@check("E102", "a V2 rule (with Filter) needs DeleteMarkerReplication", V1V2)
def _v2_delete_markers(config, context):
    return [(loc, "a rule with a Filter needs DeleteMarkerReplication (Disabled keeps V1's behaviour off; "
                  "V1 replicated delete markers)") for loc, r in _rules(config, "v2")
            if r.delete_marker_replication is None or r.delete_marker_replication.status is None]


@check("E103", "DeleteMarkerReplication is not allowed in a V1 rule (rule-level Prefix)", V1V2)
def _v1_delete_markers(config, context):
    return [(loc + ("delete_marker_replication",), "DeleteMarkerReplication cannot be used with a rule-level "
             "Prefix (V1); use Filter.Prefix instead") for loc, r in _rules(config, "v1") if r.delete_marker_replication]


@check("E104", "ReplicaModifications is not allowed in a V1 rule", V1V2)
def _v1_replica_modifications(config, context):
    return [(loc + ("source_selection_criteria", "replica_modifications"), "ReplicaModifications needs a rule "
             "with a Filter (V2)") for loc, r in _rules(config, "v1")
            if r.source_selection_criteria and r.source_selection_criteria.replica_modifications]


@check("E105", "V1 and V2 rules are mixed in one configuration", V1V2)
def _mixed(config, context):
    mixed = mixed_warning(config)
    return [((), f"{mixed.message}; {mixed.hint}")] if mixed else []


@check("E106", "a V1 configuration has at most one destination bucket", V1V2)
def _v1_destinations(config, context):
    buckets = {str(r.destination.bucket) for r in config.rules}
    if all(rule_version(r) == "v1" for r in config.rules) and len(buckets) > 1:
        return [(("rules",), f"V1 rules replicate to {len(buckets)} destination buckets; S3 allows one "
                 "(Number of distinct destination bucket ARNs cannot exceed 1)")]
    return []


@check("E107", "Replication Time Control and metrics need a V2 rule", GUIDE + "replication-time-control.html")
def _v1_rtc(config, context):
    return [(loc + ("destination",), "ReplicationTime and Metrics need a rule with a Filter (V2)")
            for loc, r in _rules(config, "v1") if r.destination.replication_time or r.destination.metrics]


@check("E108", "a rule needs a Filter (V2) or a Prefix (V1)", API)
def _no_prefix_no_filter(config, context):
    # S3 answers MalformedXML to a rule with neither (tried); the API page lists Prefix or Filter as required.
    return [(loc, "a rule with neither Filter nor Prefix is answered MalformedXML by S3; add a Filter (Filter: {} "
                  "for every object, with Priority and DeleteMarkerReplication) or Prefix: \"\"")
            for loc, r in _rules(config, "v1") if r.prefix is None]


# --- filters ---------------------------------------------------------------------------------------
FILTERS = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationRuleFilter.html"


@check("E110", "delete marker replication is not supported for tag-based rules", GUIDE + "delete-marker-replication.html")
def _tags_and_delete_markers(config, context):
    return [(loc + ("delete_marker_replication", "status"), "DeleteMarkerReplication must be Disabled when the "
             "filter selects tags") for loc, r in _rules(config, "v2")
            if _tags(r) and r.delete_marker_replication and r.delete_marker_replication.status == "Enabled"]


@check("E111", "a Filter holds exactly one of Prefix, Tag and And", FILTERS)
def _filter_one(config, context):
    out = []
    for loc, r in _rules(config, "v2"):
        present = [name for name in ("prefix", "tag", "and_") if getattr(r.filter, name) is not None]
        if len(present) > 1:
            out.append((loc + ("filter",), f"the Filter holds {' and '.join(p.rstrip('_').title() for p in present)}; "
                        "combine a prefix and tags in And"))
    return out


@check("E112", "an And holds at least two conditions (a prefix and tags, or several tags)", FILTERS)
def _and_two(config, context):
    return [(loc + ("filter", "and_"), "And needs a prefix and a tag, or two or more tags; use Prefix or Tag alone")
            for loc, r in _rules(config, "v2") if r.filter.and_ is not None
            and (r.filter.and_.prefix is not None) + len(r.filter.and_.tags or ()) < 2]


# --- RTC and metrics --------------------------------------------------------------------------------
RTC = GUIDE + "replication-time-control.html"


@check("E120", "ReplicationTime and Metrics go together", RTC)
def _rtc_pair(config, context):
    out = []
    for loc, r in _rules(config):
        d = r.destination
        if d.replication_time and not d.metrics:
            out.append((loc + ("destination", "replication_time"), "ReplicationTime needs Metrics beside it"))
        if d.metrics and not d.replication_time:
            out.append((loc + ("destination", "metrics"), "Metrics need ReplicationTime beside them"))
    return out


@check("E121", "ReplicationTime and Metrics have the same status", RTC)
def _rtc_status(config, context):
    return [(loc + ("destination", "metrics", "status"), f"Metrics are {r.destination.metrics.status} but "
             f"ReplicationTime is {r.destination.replication_time.status}") for loc, r in _rules(config)
            if r.destination.metrics and r.destination.replication_time
            and r.destination.metrics.status != r.destination.replication_time.status]


@check("E122", "ReplicationTime and Metrics minutes are 15", RTC)
def _rtc_minutes(config, context):
    out = []
    for loc, r in _rules(config):
        d = r.destination
        for name, inner, block in (("replication_time", "time", d.replication_time),
                                   ("metrics", "event_threshold", d.metrics)):
            minutes = getattr(block, inner) if block else None
            if block and (minutes is None or minutes.minutes != 15) and not (name == "metrics" and minutes is None):
                out.append((loc + ("destination", name, inner, "minutes"),
                            f"{'Time' if inner == 'time' else 'EventThreshold'}.Minutes is "
                            f"{minutes.minutes if minutes else 'missing'}; S3 accepts only 15"))
    return out


# --- destination ------------------------------------------------------------------------------------

@check("E130", "replicating SSE-KMS objects needs ReplicaKmsKeyID", GUIDE + "replication-config-for-kms-objects.html")
def _kms_key(config, context):
    return [(loc + ("destination", "encryption_configuration"), "SseKmsEncryptedObjects is Enabled but the "
             "destination has no EncryptionConfiguration.ReplicaKmsKeyID") for loc, r in _rules(config)
            if r.source_selection_criteria and r.source_selection_criteria.sse_kms_encrypted_objects
            and r.source_selection_criteria.sse_kms_encrypted_objects.status == "Enabled"
            and not (r.destination.encryption_configuration and r.destination.encryption_configuration.replica_kms_key_id)]


@check("E131", "owner override (AccessControlTranslation) needs Destination.Account",
       GUIDE + "replication-change-owner.html")
def _owner_account(config, context):
    return [(loc + ("destination", "account"), "AccessControlTranslation needs the destination Account")
            for loc, r in _rules(config) if r.destination.access_control_translation and r.destination.account is None]


@check("E132", "the storage class is not accepted for replication", API)
def _storage_class(config, context):
    return [(loc + ("destination", "storage_class"), "FSX_OPENZFS is not accepted for replication")
            for loc, r in _rules(config) if r.destination.storage_class == "FSX_OPENZFS"]


@check("W133", "the storage class is not one this version of s3repl knows", API)
def _storage_unknown(config, context):
    return [(loc + ("destination", "storage_class"), f"{r.destination.storage_class!r} is not in the S3 API model "
             "s3repl knows; check the spelling") for loc, r in _rules(config)
            if r.destination.storage_class and r.destination.storage_class not in STORAGE_CLASSES]


@check("E134", "the destination bucket is an S3 bucket ARN", API)
def _bucket_arn(config, context):
    return [(loc + ("destination", "bucket"), f"{r.destination.bucket!r} is not an S3 bucket ARN "
             "(arn:aws:s3:::bucket-name)") for loc, r in _rules(config)
            if _literal(r.destination.bucket) is not None and not BUCKET_ARN.match(r.destination.bucket)]


@check("E135", "the role is an IAM role ARN", GUIDE + "setting-repl-config-perm-overview.html")
def _role_arn(config, context):
    role = _literal(config.role)
    return [(("role",), f"{role!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)")] if (
        role is not None and not ROLE_ARN.match(role)) else []


@check("E136", "the source bucket is not its own destination", GUIDE + "replication.html")
def _same_bucket(config, context):
    source = _literal(config.bucket)
    return [(loc + ("destination", "bucket"), "the destination is the source bucket itself")
            for loc, r in _rules(config) if source and r.destination.bucket == f"arn:aws:s3:::{source}"]


# --- limits -----------------------------------------------------------------------------------------
LIMITS = GUIDE + "replication-add-config.html"


@check("E140", "the configuration is at most 2 MB", LIMITS)
def _size(config, context):
    size = xml_size(config)
    return [((), f"the XML body is {size:,} bytes; S3 accepts at most {MAX_BYTES:,}")] if (size or 0) > MAX_BYTES else []


def xml_size(config: ReplicationConfig) -> int | None:
    """The bytes of the S3 XML body s3_xml.write gives, counted without writing it; None when a value is a reference.

    The members grammar.from_model gives the writer, in the writer's layout: two-space indents, no self-closing
    elements, &, < and > escaped, a carriage return as &#13;. tests/test_validate.py checks it against the writer.
    """
    from pydantic import BaseModel

    from .formats import WriteOptions, s3_xml

    plans, texts, kinds = _size_plans(), [], {str: _TEXT}

    def kind(cls) -> int:
        """What a value of this class is to the writer (isinstance once per class, not once per value)."""
        kinds[cls] = (_LIST if issubclass(cls, tuple) else _REF if issubclass(cls, Ref)
                      else _ELEMENT if issubclass(cls, BaseModel) else _TEXT)
        return kinds[cls]

    def element(obj, fixed: int, depth: int) -> int:
        """<tag>, its children each on a line indented by depth + 1, then </tag> on a line of its own (fixed: the
        tags' characters, 2 len(tag) + 5)."""
        inner, before, values = 0, 2 * depth + 3, obj.__dict__  # a child's indent: newline and 2 (depth + 1) spaces
        for field_name, own, item in plans[obj.__class__]:
            value = values[field_name]
            if value is None:
                continue
            how = kinds.get(value.__class__) or kind(value.__class__)
            if how == _TEXT:
                texts.append(value if value.__class__ is str else str(value))
                inner += before + own
            elif how == _ELEMENT:
                inner += before + element(value, own, depth + 1)
            elif how == _LIST:
                for each in value:
                    inner += before + element(each, item, depth + 1)
            else:
                raise _Reference
        return fixed + (inner + 2 * depth + 1 if inner else 0)

    try:
        size = element(config, 2 * len(s3_xml.ROOT) + 5, 0)
    except _Reference:
        return None
    text = "".join(texts)
    if s3_xml._NOT_XML.search(text):  # the writer refuses it: say so as it does
        s3_xml.write([config], WriteOptions())
    size += len(text.encode()) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">")) + 4 * text.count("\r")
    return size + len(f'<?xml version="1.0" encoding="UTF-8"?>\n xmlns="{s3_xml.NAMESPACE}"\n')


@cache
def _size_plans() -> dict:
    """Per model class, the members the S3 XML writer writes: (field, 2 len(member) + 5, the same for a list's item
    element), worked out once rather than per object (the size check walks every object of every rule)."""
    from . import model
    from .formats import s3_xml

    classes = {c.__name__: c for c in vars(model).values() if isinstance(c, type) and c.__name__ in s3_xml.GRAMMAR.shapes}
    return {classes[name]: [(field_name, 2 * len(member) + 5, 2 * len(s3_xml.FLATTENED.get(member, member)) + 5)
                            for member, field_name in shape.items()]
            for name, shape in s3_xml.GRAMMAR.shapes.items() if name in classes}


_TEXT, _ELEMENT, _LIST, _REF = 1, 2, 3, 4  # xml_size's kinds of value


class _Reference(Exception):
    """A value is a reference: the size of the body S3 gets is not known."""


@check("E141", "a rule ID is at most 255 ASCII characters", API)
def _ids(config, context):
    out = []
    for loc, r in _rules(config):
        rule_id = _literal(r.id)
        if rule_id is not None and len(rule_id) > 255:
            out.append((loc + ("id",), f"the ID has {len(rule_id)} characters; at most 255"))
        if rule_id is not None and not rule_id.isascii():
            out.append((loc + ("id",), "the ID has characters outside ASCII"))
    return out


@check("E142", "a prefix is at most 1,024 characters", LIMITS)
def _prefix_length(config, context):
    return [(loc, f"the prefix has {len(p)} characters; at most 1,024") for loc, r in _rules(config)
            if isinstance(p := _prefix(r), str) and len(p) > 1024]


@check("E143", "rule IDs are unique", API)
def _duplicate_ids(config, context):
    seen, out = {}, []
    for loc, r in _rules(config):
        if _literal(r.id) is not None:
            if r.id in seen:
                out.append((loc + ("id",), f"the ID {r.id!r} is also {api_path(seen[r.id])}"))
            seen.setdefault(r.id, loc)
    return out


# --- overlaps ---------------------------------------------------------------------------------------
PRIORITY = GUIDE + "replication-add-config.html#replication-config-optional-filter"


def _groups(config) -> list[list[tuple[int, tuple, Rule]]]:
    """Enabled V2 rules grouped by destination bucket: (position, location, rule); only rules in one group compete."""
    groups: dict = {}
    for position, (loc, r) in enumerate((loc, r) for loc, r in _rules(config, "v2") if r.status == "Enabled"):
        groups.setdefault(r.destination.bucket, []).append((position, loc, r))
    return list(groups.values())


def _equal_priority_pairs(config):
    """(location a, rule a, location b, rule b) for rules to one destination with equal Priority, a before b.

    Grouped by (destination, priority): the work is the number of pairs found, not all pairs of rules.
    """
    pairs = []
    for group in _groups(config):
        same: dict = {}
        for item in group:
            same.setdefault(item[2].priority, []).append(item)
        pairs += [(a, b) for items in same.values() for i, a in enumerate(items) for b in items[i + 1:]]
    return [(a[1], a[2], b[1], b[2]) for a, b in sorted(pairs, key=lambda p: (p[0][0], p[1][0]))]


def _selection(rule: Rule):
    """What a rule selects: (key prefix, tag set); the prefix is None when it is a reference."""
    p = _prefix(rule)
    return (p if isinstance(p, str) else None), frozenset((str(t.key), str(t.value)) for t in _tags(rule))


def _covers(wide: Rule, narrow: Rule) -> bool:
    """Whether every object narrow selects is also selected by wide (prefix and tags)."""
    (p_wide, t_wide), (p_narrow, t_narrow) = _selection(wide), _selection(narrow)
    return p_wide is not None and p_narrow is not None and p_narrow.startswith(p_wide) and t_wide <= t_narrow


def _covering(group: list) -> list[tuple]:
    """Every (wide, narrow) pair of a group's items where wide covers narrow, found through sorted prefixes.

    In sorted order a prefix's own prefixes come before it, and a stack of nested prefixes holds exactly them;
    rules are indexed by (prefix, tag set), and a narrow rule looks at the tag sets on the stack, or at its own tag
    subsets when those are fewer.
    """
    from itertools import combinations

    index: dict = {}
    for item in group:
        prefix, tags = _selection(item[2])
        if prefix is not None:
            index.setdefault(prefix, {}).setdefault(tags, []).append(item)
    found, stack, on_stack = [], [], 0  # on_stack: the (prefix, tag set) entries of the prefixes on the stack
    for prefix in sorted(index):
        while stack and not prefix.startswith(stack[-1]):
            on_stack -= len(index[stack.pop()])
        stack.append(prefix)
        on_stack += len(index[prefix])
        for narrow_tags, narrows in index[prefix].items():
            if 2 ** len(narrow_tags) > on_stack:
                wides = [w for p in stack for tags, items in index[p].items() if tags <= narrow_tags for w in items]
            else:
                subsets = [frozenset(s) for n in range(len(narrow_tags) + 1) for s in combinations(narrow_tags, n)]
                wides = [w for p in stack for tags in subsets for w in index[p].get(tags, ())]
            found += [(w, n) for n in narrows for w in wides if w is not n]
    return found


@check("W150", "rules sharing a destination have distinct priorities", PRIORITY)
def _duplicate_priorities(config, context):
    return [(loc_b + ("priority",), f"Priority {b.priority} is also {api_path(loc_a)}'s, to the same destination")
            for loc_a, a, loc_b, b in _equal_priority_pairs(config)]


@check("W151", "overlapping rules with equal priority", PRIORITY)
def _overlap_equal(config, context):
    return [(loc_b + ("filter",), f"overlaps {api_path(loc_a)} with the same Priority; which one applies is undefined")
            for loc_a, a, loc_b, b in _equal_priority_pairs(config) if _covers(a, b) or _covers(b, a)]


@check("W152", "a rule that a higher-priority rule to the same destination always overrides", PRIORITY)
def _shadowed(config, context):
    found = sorted((min(hi[0], lo[0]), max(hi[0], lo[0]), hi[1], lo[1]) for group in _groups(config)
                   for hi, lo in _covering(group) if hi[2].priority is not None and lo[2].priority is not None
                   and hi[2].priority > lo[2].priority)
    return [(loc_lo, f"every object it selects is also selected by {api_path(loc_hi)}, whose higher "
             "Priority wins: this rule never applies") for _, _, loc_hi, loc_lo in found]


@check("W160", "ExistingObjectReplication is answered MalformedXML unless AWS enabled it for the account",
       GUIDE + "s3-batch-replication-batch.html")
def _existing(config, context):
    return [(loc + ("existing_object_replication",), "S3 answers MalformedXML unless AWS enabled existing object "
             "replication for the account; S3 Batch Replication replicates existing objects")
            for loc, r in _rules(config) if r.existing_object_replication]


@check("E170", "both buckets have versioning Enabled", GUIDE + "replication-requirements.html")
def _versioning(config, context):
    if context.versioned is None:
        return []
    out = []
    if config.bucket is not None and context.versioned(config.bucket) is False:
        out.append((("bucket",), "the source bucket is defined here without versioning Enabled; S3 refuses the "
                    "configuration (Versioning must be 'Enabled' on the bucket)"))
    for loc, r in _rules(config):
        if context.versioned(r.destination.bucket) is False:
            out.append((loc + ("destination", "bucket"), "the destination bucket is defined here without versioning "
                        "Enabled; S3 refuses the configuration (Destination bucket must have versioning enabled)"))
    return out
