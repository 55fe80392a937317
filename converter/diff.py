"""Semantic diff of replication configurations: meaning, not text; rules matched by ID, then by content."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .model import ReplicationConfig, Rule
from .normalize import rule_version
from .values import Ref, resolve

Kind = Literal["changed", "added", "removed", "undecided"]
# What an absent optional member means (S3 API reference and User Guide).
DEFAULTS = {
    "DeleteMarkerReplication.Status": "Disabled",
    "SourceSelectionCriteria.SseKmsEncryptedObjects.Status": "Disabled",
    "SourceSelectionCriteria.ReplicaModifications.Status": "Disabled",
    "ExistingObjectReplication.Status": "Disabled",
    "Destination.ReplicationTime.Status": "Disabled",
    "Destination.Metrics.Status": "Disabled",
}


@dataclass(frozen=True)
class Change:
    """One difference: where, what on each side."""

    kind: Kind
    path: str
    a: object = None
    b: object = None
    why: str | None = None
    needs: tuple[str, ...] = ()  # undecided: the --var NAMEs that would decide it

    def as_dict(self) -> dict:
        return {k: list(v) if k == "needs" else v for k, v in self.__dict__.items() if v is not None and v != ()}


@dataclass
class Comparison:
    """The comparison of one configuration on each side."""

    a: str
    b: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if any(c.kind != "undecided" for c in self.changes):
            return "different"
        return "undecided" if self.changes else "equal"


def _text(value) -> object:
    return value.display() if isinstance(value, Ref) else value


def semantics(rule: Rule) -> dict[str, object]:
    """What a rule does, member by member; absent members at their defaults; V1 as what it means in V2 terms."""
    out: dict[str, object] = {"Status": rule.status}
    flt = rule.filter
    if flt is None:  # V1: a rule-level prefix, and delete markers from user deletes are replicated
        out["Filter.Prefix"] = rule.prefix if rule.prefix is not None else ""
        out["Filter.Tags"] = ()
        out["DeleteMarkerReplication.Status"] = "Enabled"
    else:
        prefix, tags = flt.key_prefix(), flt.selected_tags()
        out["Filter.Prefix"] = prefix if prefix is not None else ""
        out["Filter.Tags"] = tuple((t.key, t.value) for t in tags)
        out["Priority"] = rule.priority
        dmr = rule.delete_marker_replication
        out["DeleteMarkerReplication.Status"] = dmr.status if dmr and dmr.status else "Disabled"
    ssc = rule.source_selection_criteria
    sse = ssc.sse_kms_encrypted_objects if ssc else None
    replica = ssc.replica_modifications if ssc else None
    out["SourceSelectionCriteria.SseKmsEncryptedObjects.Status"] = sse.status if sse else "Disabled"
    out["SourceSelectionCriteria.ReplicaModifications.Status"] = replica.status if replica else "Disabled"
    out["ExistingObjectReplication.Status"] = rule.existing_object_replication.status if rule.existing_object_replication else "Disabled"
    d = rule.destination
    out["Destination.Bucket"] = d.bucket
    out["Destination.Account"] = d.account
    out["Destination.StorageClass"] = d.storage_class  # absent: the source object's class, not STANDARD
    out["Destination.AccessControlTranslation.Owner"] = d.access_control_translation.owner if d.access_control_translation else None
    out["Destination.EncryptionConfiguration.ReplicaKmsKeyID"] = (
        d.encryption_configuration.replica_kms_key_id if d.encryption_configuration else None)
    out["Destination.ReplicationTime.Status"] = d.replication_time.status if d.replication_time else "Disabled"
    out["Destination.ReplicationTime.Time.Minutes"] = d.replication_time.time.minutes if d.replication_time else None
    out["Destination.Metrics.Status"] = d.metrics.status if d.metrics else "Disabled"
    out["Destination.Metrics.EventThreshold.Minutes"] = (
        d.metrics.event_threshold.minutes if d.metrics and d.metrics.event_threshold else None)
    return out


def canonical(value):
    """A reference in one form for both languages (references.json): !GetAtt Dest.Arn and aws_s3_bucket.dest.arn,
    a Parameter and a variable, AWS::Region and data.aws_region.current.name compare equal."""
    from .formats.terraform import snake
    from .grammar import references

    if not isinstance(value, Ref):
        return value
    table = references()
    if value.kind == "template":
        return ("template",) + tuple(canonical(part) for part in value.parts or ())
    if value.kind == "parameter":
        return ("var", snake(value.target))
    if value.kind == "variable":
        return ("var", value.target.split(".", 1)[1])
    if value.kind == "pseudo":
        return ("text", table["pseudo_parameters"].get(value.target, value.target))
    if value.kind == "resource":
        types = {v: k for k, v in table["resource_types"].items()}
        if value.resource_type in types:  # CloudFormation: a logical ID, Ref or GetAtt
            attribute = {v: k for k, v in table["attributes"].items() if v}.get(value.attribute, value.attribute)
            return ("resource", types[value.resource_type], snake(value.target), attribute or "id")
        if value.target.startswith("data."):
            return ("text", value.display())
        kind, _, name = value.target.partition(".")
        attribute = "id" if value.attribute in ("bucket", "name", "key_id") else value.attribute
        return ("resource", kind, name, attribute or "id")
    return ("text", value.display())


def _same(a, b, variables) -> bool | None:
    """Equal, different, or None when a reference cannot be decided against the other side."""
    if isinstance(a, tuple) or isinstance(b, tuple):  # tags: order does not matter
        a_set = {(canonical(resolve(k, variables)), canonical(resolve(v, variables))) for k, v in a or ()}
        b_set = {(canonical(resolve(k, variables)), canonical(resolve(v, variables))) for k, v in b or ()}
        if a_set == b_set:
            return True
        unresolved = any(isinstance(x, tuple) for pair in a_set ^ b_set for x in pair)
        return None if unresolved else False
    a = resolve(a, variables) if isinstance(a, (str, Ref)) else a
    b = resolve(b, variables) if isinstance(b, (str, Ref)) else b
    if isinstance(a, Ref) or isinstance(b, Ref):
        return True if canonical(a) == canonical(b) else None
    return a == b


def needs(value, variables) -> tuple[str, ...]:
    """The references in a value that no --var or default decides: what to pass as --var NAME=VALUE."""
    if isinstance(value, tuple):  # tags
        return tuple(name for pair in value for part in pair for name in needs(part, variables))
    value = resolve(value, variables) if isinstance(value, Ref) else value
    if not isinstance(value, Ref):
        return ()
    if value.kind == "template":
        return tuple(name for part in value.parts or () for name in needs(part, variables))
    return (value.display(),)


def _undecided(path: str, a, b, variables, why: str = "a reference against a value it may or may not be") -> Change:
    wanted = tuple(dict.fromkeys(needs(a, variables) + needs(b, variables)))
    return Change("undecided", path, _show(a), _show(b), why, wanted)


def _label(rule: Rule, index: int) -> str:
    return f"Rules[id={_text(rule.id)}]" if rule.id is not None else f"Rules[{index}]"


def _show(value):
    if isinstance(value, tuple):
        return sorted(f"{_text(k)}={_text(v)}" for k, v in value) or "none"
    return _text(value)


def compare(a: ReplicationConfig, b: ReplicationConfig, variables: dict | None = None,
            names: tuple[str, str] = ("A", "B")) -> Comparison:
    """The semantic differences between two configurations."""
    variables = variables or {}
    result = Comparison(names[0], names[1])
    same = _same(a.role, b.role, variables)
    if same is False:
        result.changes.append(Change("changed", "Role", _text(a.role), _text(b.role)))
    elif same is None:
        result.changes.append(_undecided("Role", a.role, b.role, variables))
    _compare_around(result, a, b)
    left, right = list(enumerate(a.rules)), list(enumerate(b.rules))
    pairs = []
    for i, rule in list(left):  # by ID
        match = next(((j, r) for j, r in right if rule.id is not None and _same(rule.id, r.id, variables)), None)
        if match:
            pairs.append(((i, rule), match))
            left.remove((i, rule))
            right.remove(match)
    for i, rule in list(left):  # by content, when IDs are missing (S3 generates them) or differ
        meaning = semantics(rule)
        match = next(((j, r) for j, r in right if all(_same(meaning[k], v, variables) for k, v in semantics(r).items()
                                                     if k != "Priority")), None)
        if match:
            pairs.append(((i, rule), match))
            left.remove((i, rule))
            right.remove(match)
            result.notes.append(f"{_label(rule, i)} and {_label(match[1], match[0])} matched by content, not by ID")
    for (i, ra), (j, rb) in pairs:
        _compare_rules(result, ra, rb, i, variables)
    result.changes += [Change("removed", _label(r, i), why=f"only in {names[0]}") for i, r in left]
    result.changes += [Change("added", _label(r, j), why=f"only in {names[1]}") for j, r in right]
    return result


def _language(config: ReplicationConfig) -> str | None:
    """The IaC language a configuration was read from: a Terraform address has a dot, a logical ID none."""
    return None if not config.origin else "terraform" if "." in config.origin else "cloudformation"


def _compare_around(result: Comparison, a: ReplicationConfig, b: ReplicationConfig) -> None:
    """Meta-arguments and resource attributes (model.Around), when both sides are of the language that has them."""
    language = _language(a)
    if language is None or language != _language(b):
        return
    left = {item.name: item.value for item in a.around or () if item.language == language}
    right = {item.name: item.value for item in b.around or () if item.language == language}
    for name in sorted(left.keys() | right.keys()):
        if left.get(name) != right.get(name):
            kind = "added" if name not in left else "removed" if name not in right else "changed"
            result.changes.append(Change(kind, name, left.get(name), right.get(name)))


def _compare_rules(result: Comparison, a: Rule, b: Rule, index: int, variables) -> None:
    label = _label(a, index)
    va, vb = rule_version(a), rule_version(b)
    sa, sb = semantics(a), semantics(b)
    if va != vb:
        sa.pop("Priority", None)
        sb.pop("Priority", None)
        result.notes.append(f"{label} is {va.upper()} in {result.a} and {vb.upper()} in {result.b}: compared by meaning "
                            "(a V1 rule replicates delete markers and has no priority)")
    for key in [*sa, *(k for k in sb if k not in sa)]:  # in semantics() order: the same report every run
        same = _same(sa.get(key), sb.get(key), variables)
        if same is True:
            continue
        if same is None:
            result.changes.append(_undecided(f"{label}.{key}", sa.get(key), sb.get(key), variables))
            continue
        why = "a V1 rule replicates delete markers; the V2 rule does not" if (
            key == "DeleteMarkerReplication.Status" and va != vb) else None
        result.changes.append(Change("changed", f"{label}.{key}", _show(sa.get(key)), _show(sb.get(key)), why))
    for key, default in DEFAULTS.items():
        given_a, given_b = _given(a, key), _given(b, key)
        if given_a != given_b and sa.get(key) == sb.get(key) == default:
            result.notes.append(f"{label}.{key}: absent on one side, {default} on the other; absent means {default}")


def _given(rule: Rule, key: str) -> bool:
    """Whether a rule states a member explicitly (for the notes on defaults); key uses the S3 API's names."""
    from .grammar import load

    shapes, obj = load("cli-json").shapes, rule
    for part in key.split("."):
        obj = getattr(obj, shapes[type(obj).__name__][part], None)
        if obj is None:
            return False
    return True


def pair(left: list[ReplicationConfig], right: list[ReplicationConfig]):
    """Configurations paired by source bucket; the unpaired ones on each side."""
    if len(left) == 1 and len(right) == 1:
        return [(left[0], right[0])], [], []

    def key(config):
        bucket = resolve(config.bucket, {}) if config.bucket is not None else None
        return bucket if isinstance(bucket, str) else config.origin

    pairs, rest = [], list(right)
    unpaired_left = []
    for config in left:
        match = next((c for c in rest if key(c) is not None and key(c) == key(config)), None)
        if match is None:
            unpaired_left.append(config)
        else:
            pairs.append((config, match))
            rest.remove(match)
    return pairs, unpaired_left, rest


def name_of(config: ReplicationConfig, fallback: str = "configuration") -> str:
    """A configuration's name in reports: its source bucket, or where it came from."""
    bucket = resolve(config.bucket, {}) if config.bucket is not None else None
    return bucket if isinstance(bucket, str) else (config.origin or fallback)


@dataclass
class Report:
    """A diff of two inputs: the paired comparisons and what has no pair."""

    comparisons: list[Comparison]
    only_a: list[str]
    only_b: list[str]

    @property
    def outcome(self) -> str:
        outcomes = {c.outcome for c in self.comparisons}
        if self.only_a or self.only_b or "different" in outcomes:
            return "different"
        return "undecided" if "undecided" in outcomes else "equal"

    def as_dict(self) -> dict:
        """The JSON form."""
        return {"outcome": self.outcome,
                "configurations": [{"a": c.a, "b": c.b, "outcome": c.outcome, "changes": [x.as_dict() for x in c.changes],
                                    "notes": c.notes} for c in self.comparisons],
                "only_in_a": self.only_a, "only_in_b": self.only_b}

    def lines(self) -> list[tuple[str, str]]:
        """The text form: (style, line) pairs, style one of equal, changed, added, removed, undecided, note."""
        out = []
        for c in self.comparisons:
            title = c.a if c.a == c.b else f"{c.a} / {c.b}"
            kinds = [x.kind for x in c.changes]
            counts = [f"{kinds.count(k)} {k}" for k in ("changed", "added", "removed", "undecided") if k in kinds]
            out.append(({"equal": "equal", "different": "changed", "undecided": "undecided"}[c.outcome],
                         f"{title}: {c.outcome}" + (f" ({', '.join(counts)})" if counts else "")))
            for x in c.changes:
                sign = {"changed": "~", "added": "+", "removed": "-", "undecided": "?"}[x.kind]
                body = f": {x.a!r} -> {x.b!r}" if x.kind in ("changed", "undecided") else ""
                why = f" ({x.why}{'; pass ' + ' '.join(f'--var {n}=VALUE' for n in x.needs) if x.needs else ''})" if x.why else ""
                out.append((x.kind, f"  {sign} {x.path}{body}{why}"))
            out += [("note", f"  note: {n}") for n in c.notes]
        out += [("removed", f"- {name}: only in A") for name in self.only_a]
        out += [("added", f"+ {name}: only in B") for name in self.only_b]
        return out


def diff(left: list[ReplicationConfig], right: list[ReplicationConfig], variables: dict | None = None,
         labels: tuple[str, str] = ("A", "B")) -> Report:
    """Compare two inputs' configurations, paired by source bucket; labels name the sides of unnamed ones."""
    pairs, only_a, only_b = pair(left, right)
    comparisons = [compare(a, b, variables, (name_of(a, labels[0]), name_of(b, labels[1]))) for a, b in pairs]
    return Report(comparisons, [name_of(c, labels[0]) for c in only_a], [name_of(c, labels[1]) for c in only_b])
