"""s3repl migrate in Terraform's JSON syntax (*.tf.json): the inline keys removed, the new resources added.

A JSON document is written again as a whole: key order, indentation (spaces or tabs), newlines, a BOM and the final
newline are kept; only what a JSON writer cannot keep (escapes such as \\u00e9 become the character) may change.
https://developer.hashicorp.com/terraform/language/syntax/json
"""

from __future__ import annotations

import json
import re

from .formats.terraform import to_json
from .migrate_v4 import import_keys


def edit(raw: str, name: str, made: list) -> str:
    """raw with each bucket's inline keys removed and its new resources and import blocks added."""
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    data = json.loads(raw[len(bom):])
    for bucket, _, kinds, items, expression in made:
        for body in _bodies(data.get("resource"), "aws_s3_bucket", bucket.label):
            for kind in kinds:
                body.pop(kind, None)
            dynamic = body.get("dynamic")
            for group in dynamic if isinstance(dynamic, list) else [dynamic] if isinstance(dynamic, dict) else []:
                for kind in kinds:
                    group.pop(kind, None)
            if isinstance(dynamic, list):
                body["dynamic"] = [group for group in dynamic if group]
            if not body.get("dynamic", True):
                del body["dynamic"]
        added = to_json(items, expression)
        for kind, labelled in added.get("resource", {}).items():
            for label, body in labelled.items():
                if bucket.repeat:  # the bucket's own JSON value, not "${...}" around its text
                    body[bucket.repeat[0]] = bucket.block.body.attributes[bucket.repeat[0]].expr.value
                _add_resource(data, kind, label, body)
        if added.get("import"):
            for block in added["import"]:
                if isinstance(block.get("for_each"), str):  # a JSON array, not "${[...]}" around its text
                    block["for_each"] = import_keys(bucket, block["to"].split(".")[0])
            present = data.get("import", [])
            data["import"] = (present if isinstance(present, list) else [present]) + added["import"]
    return bom + _dumps(data, raw[len(bom):])


def _bodies(resources, kind: str, label: str) -> list:
    """The body objects of resource kind.label: JSON syntax allows an object or an array of objects at each level."""
    found = []
    for group in resources if isinstance(resources, list) else [resources]:
        typed = group.get(kind) if isinstance(group, dict) else None
        for named in typed if isinstance(typed, list) else [typed]:
            body = named.get(label) if isinstance(named, dict) else None
            found += [b for b in (body if isinstance(body, list) else [body]) if isinstance(b, dict)]
    return found


def _add_resource(data: dict, kind: str, label: str, body: dict) -> None:
    resources = data.setdefault("resource", {})
    if isinstance(resources, list):
        resources.append({kind: {label: body}})
        return
    typed = resources.setdefault(kind, {})
    if isinstance(typed, list):
        typed.append({label: body})
    else:
        typed[label] = body


def _dumps(data: dict, raw: str) -> str:
    """JSON laid out as raw was: its indentation unit, its newline, its final newline."""
    match = re.search(r"\n([ \t]+)\S", raw)
    indent = None if match is None else ("\t" if match.group(1).startswith("\t") else len(match.group(1)))
    text = json.dumps(data, indent=indent if "\n" in raw.strip() else None, ensure_ascii=False)
    if raw.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n") if "\r\n" in raw else text
