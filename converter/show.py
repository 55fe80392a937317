"""A readable table of a configuration: what each rule selects, where it goes, what it carries."""

from __future__ import annotations

from .diff import name_of
from .model import ReplicationConfig, Rule
from .normalize import versions
from .values import Ref

HEADERS = ("ID", "Status", "Priority", "Selects", "Destination", "Account", "Class", "Features")


def _text(value) -> str:
    return "-" if value is None else value.display() if isinstance(value, Ref) else str(value)


def _selects(rule: Rule) -> str:
    flt = rule.filter
    if flt is None:
        return f"prefix {rule.prefix or '(all)'!s}" if isinstance(rule.prefix, (str, type(None))) else _text(rule.prefix)
    prefix, tags = flt.key_prefix(), flt.selected_tags()
    parts = [f"prefix {_text(prefix)}"] if prefix else []
    parts += [f"tag {_text(t.key)}={_text(t.value)}" for t in tags]
    return ", ".join(parts) or "everything"


def _features(rule: Rule) -> str:
    d, ssc = rule.destination, rule.source_selection_criteria
    on = lambda toggle: toggle is not None and toggle.status == "Enabled"  # noqa: E731
    dmr = rule.filter is None or (rule.delete_marker_replication and rule.delete_marker_replication.status == "Enabled")
    features = [name for name, present in (
        ("delete markers", dmr), ("RTC", d.replication_time and d.replication_time.status == "Enabled"),
        ("metrics", on(d.metrics)), ("SSE-KMS", ssc and on(ssc.sse_kms_encrypted_objects)),
        ("owner override", d.access_control_translation is not None),
        ("replica modifications", ssc and on(ssc.replica_modifications)),
        ("existing objects", on(rule.existing_object_replication))) if present]
    return ", ".join(features) or "-"


def table(config: ReplicationConfig) -> str:
    """Plain text: a title line, then one aligned row per rule."""
    rows = [HEADERS] + [(
        _text(rule.id), rule.status, _text(rule.priority), _selects(rule), _text(rule.destination.bucket),
        _text(rule.destination.account), _text(rule.destination.storage_class), _features(rule)) for rule in config.rules]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    schema = "/".join(sorted(v.upper() for v in versions(config)))
    lines = [f"{name_of(config)} (role {_text(config.role)}; schema {schema}; {len(config.rules)} rules)"]
    lines += ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def document(configs: list[ReplicationConfig]) -> dict:
    """The JSON form of show: each configuration and its rules, with the cells of the table as keys."""
    keys = ("id", "status", "priority", "selects", "destination", "account", "storage_class")

    def rule(r: Rule) -> dict:
        cells = (r.id, r.status, r.priority, _selects(r), r.destination.bucket, r.destination.account,
                 r.destination.storage_class)
        out = {k: v.display() if isinstance(v, Ref) else v for k, v in zip(keys, cells)}
        return {**out, "features": [] if _features(r) == "-" else _features(r).split(", ")}

    return {"version": 1, "configurations": [
        {"name": name_of(config), "role": _text(config.role) if config.role is not None else None,
         "schema": sorted(v.upper() for v in versions(config)), "rules": [rule(r) for r in config.rules]}
        for config in configs]}
