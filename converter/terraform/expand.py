"""A resource instance's body as plain data: blocks unwrapped (dynamic ones expanded), maps as key/value lists.

In the root module, outside count/for_each/dynamic, a plain reference to a variable or local stays a Ref whose
default is its value (so TF -> TF keeps `var.x`), and string templates stay templates; anything computed is literal.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import InputError, error
from ..values import Ref, template
from . import bridge, module, templates
from .module import Instance, Resource, Scope
from .syntax import Attribute, Body, Json

MAPS = {"tags"}
# A reference to one instance of a resource: aws_s3_bucket.this[0].id, aws_s3_bucket.b["k"].arn
_INDEXED = re.compile(r'^((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*\[(?:\d+|"[^"\\]*")\])\.([A-Za-z_][A-Za-z0-9_]*)\Z')
LISTS = {"rule", "rules"}
SKIPPED = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}


def plain(resource: Resource) -> tuple[dict, dict]:
    """(data, positions): the body's values, and pointer -> (file, line, column) of each attribute and block."""
    keep = resource.instance.prefix == "" and not resource.bindings
    positions: dict = {}
    data = _body(resource.instance, resource.block.body, resource.bindings, (resource.address,), keep, positions)
    return data, positions


def _body(instance: Instance, body: Body, bindings: dict, pointer: tuple, keep: bool, positions: dict) -> dict:
    out: dict = {}
    scope = Scope(instance, bindings)
    for name, attribute in body.attributes.items():
        if name in SKIPPED:
            continue
        here = pointer + (name,)
        positions[here] = (attribute.file, attribute.line or None, attribute.column or None)
        if name in MAPS:
            items = _map(attribute, scope, keep)
            if items is not None:
                out[name] = items
            continue
        value = field(attribute, scope, keep)
        if value is not None:
            out[name] = literal(value)
    groups: dict = {}
    for block in body.blocks:
        if block.type in SKIPPED:  # lifecycle, provisioner, connection: meta-arguments, read apart (around)
            continue
        if block.type == "dynamic" and block.labels:
            kind = block.labels[0]
            groups.setdefault(kind, [])
            for inner in _dynamic(instance, block, bindings):
                index = len(groups[kind])
                where = pointer + (kind,) + ((index,) if kind in LISTS else ())
                positions.setdefault(where, (block.file, block.line or None, None))
                groups[kind].append(_body(instance, inner[0], inner[1], where, False, positions))
        else:
            items = groups.setdefault(block.type, [])
            where = pointer + (block.type,) + ((len(items),) if block.type in LISTS else ())
            positions.setdefault(where, (block.file, block.line or None, None))
            items.append(_body(instance, block.body, bindings, where, keep, positions))
    for kind, items in groups.items():
        if kind in LISTS:
            out[kind] = items
        elif len(items) > 1:
            raise InputError(error("input", f"only one {kind} block is allowed here",
                                   path=".".join(str(p) for p in pointer + (kind,))))
        elif items:
            out[kind] = items[0]
    return out


def _dynamic(instance: Instance, block, bindings: dict) -> list[tuple[Body, dict]]:
    """(content body, bindings) per element of a dynamic block's for_each."""
    kind = block.labels[0]
    attributes = block.body.attributes
    if "for_each" not in attributes:
        raise InputError(error("input", f"dynamic {kind!r} needs for_each", file=block.file, line=block.line))
    collection = module.decided(instance, attributes["for_each"], bindings, f'dynamic "{kind}" block\'s for_each')
    name = kind
    if "iterator" in attributes:
        name = bridge.text(attributes["iterator"]).strip()
    contents = block.body.named("content")
    if len(contents) != 1:
        raise InputError(error("input", f"dynamic {kind!r} needs one content block", file=block.file, line=block.line))
    if collection is None:
        raise InputError(error("input", f'dynamic "{kind}": for_each is null', **module.where(attributes["for_each"])))
    if isinstance(collection, dict) or bridge.is_set(collection):
        pairs = module.for_each_pairs(collection)
    elif isinstance(collection, (list, tuple)):
        pairs = list(enumerate(collection))
    else:
        raise InputError(error("input", f'dynamic "{kind}": for_each must be a list, set or map, got {collection!r}',
                               **module.where(attributes["for_each"])))
    return [(contents[0].body, {**bindings, name: {"key": k, "value": v}}) for k, v in pairs]


def field(attribute: Attribute, scope: Scope, keep: bool) -> Any:
    """An argument's value: references kept where the module is not expanded, else evaluated."""
    expr = attribute.expr
    if isinstance(expr, Json):
        if not (keep and isinstance(expr.value, str)):
            return with_defaults(bridge.value(attribute, scope), scope.instance)
        expr = bridge.json_template(expr.value, attribute)
    if keep:
        kept = _kept(expr, scope, attribute)
        if kept is not None:
            return kept
    return with_defaults(bridge.expression_value(expr, scope, attribute), scope.instance)


def _kept(expr, scope: Scope, attribute: Attribute) -> Any:
    """A var/local reference or a template of them as references with their values as defaults; None otherwise."""
    node = _unwrap(expr)
    path = bridge.traversal(node)
    if path is not None and path.split(".")[0] in ("var", "local") and path.count(".") == 1 and "[" not in path:
        stood = _stand_in(scope.instance, path)
        if stood is not None:
            return stood
        value = bridge.expression_value(node, scope, attribute)
        if isinstance(value, str) and path.startswith("local."):  # its own references kept: "logs/${var.prefix}/"
            local = scope.instance.files.locals[path[6:]]
            kept = field(local, Scope(scope.instance, {}), True)
            return Ref(kind="local", target=path, default=kept if isinstance(kept, (str, Ref)) else value)
        if isinstance(value, str):
            return Ref(kind="variable", target=path, default=value)
        return value
    if getattr(node, "data", None) == "string":
        parts = []
        for part in node.children[1:-1]:
            inner = part.children[0]
            if getattr(inner, "data", None) == "interpolation":
                value = _kept(inner.children[1], scope, attribute)
                if value is None:
                    value = with_defaults(bridge.expression_value(inner.children[1], scope, attribute), scope.instance)
                if not isinstance(value, (str, Ref)):
                    value = bridge.expression_value(inner.children[1], scope, attribute)
                    if not isinstance(value, (str, Ref)):
                        return None  # a number or bool in a template: let the evaluator format it
                parts.append(value)
            elif getattr(inner, "type", "") == "STRING_CHARS":
                parts.append(templates.unescape(str(inner), inner))
            elif getattr(inner, "type", "") in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                return None  # a literal ${ or %{: the evaluator decodes it
            else:
                return None  # a %{ directive }: evaluated as a whole
        if any(isinstance(p, Ref) for p in parts):
            return template(parts)
    return None


def _stand_in(instance: Instance, path: str) -> Ref | None:
    """The reference a variable written by s3repl stands for (its description says which)."""
    from ..formats.terraform import STAND_IN
    from ..values import stored_reference

    block = instance.files.variables.get(path[4:]) if path.startswith("var.") else None
    attribute = block.body.attributes.get("description") if block else None
    if attribute is None:
        return None
    description = bridge.value(attribute, None)
    if isinstance(description, str) and description.startswith(STAND_IN):
        return stored_reference(description[len(STAND_IN):], f"variable.{path[4:]}.description")
    return None


def _unwrap(node):
    while getattr(node, "data", None) == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    return node


def _map(attribute: Attribute, scope: Scope, keep: bool) -> list | None:
    """A map argument (tags) as key/value items; an expression key stays a reference where references are kept."""
    node = _unwrap(attribute.expr) if not isinstance(attribute.expr, Json) else None
    if keep and getattr(node, "data", None) == "object":
        items = []
        for elem in (c for c in node.children if getattr(c, "data", None) == "object_elem"):
            key_node = _unwrap(elem.children[0].children[0]) if elem.children[0].data == "object_elem_key" else None
            if getattr(key_node, "data", None) in ("identifier", "keyword", "literal_value"):  # { null = 1 }: "null"
                key = str(key_node.children[0])
            else:
                key = field(Attribute(attribute.name, key_node, attribute.file, attribute.line, attribute.column),
                            scope, True)
            value = field(Attribute(attribute.name, elem.children[2], attribute.file, attribute.line,
                                    attribute.column), scope, True)
            items.append({"key": literal(key), "value": literal(value)})
        return items
    if keep and isinstance(attribute.expr, Json) and isinstance(attribute.expr.value, dict):
        def part(raw):
            return literal(field(Attribute(attribute.name, Json(raw, attribute.file), attribute.file, 0, 0), scope, True))
        return [{"key": part(k), "value": part(v)} for k, v in attribute.expr.value.items()]
    value = with_defaults(bridge.value(attribute, scope), scope.instance)
    if value is None:
        return None
    if isinstance(value, dict):
        return [{"key": k, "value": literal(v)} for k, v in value.items()]
    return literal(value)


def literal(value: Any) -> Any:
    """Evaluator numbers as the model holds them: whole numbers as int."""
    if isinstance(value, bool) or isinstance(value, (str, Ref, int)) or value is None:
        return value
    if hasattr(value, "denominator") and getattr(value, "denominator", 0) == 1:
        return int(value)
    if isinstance(value, dict):
        return {k: literal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [literal(v) for v in value]
    return value


def with_defaults(value: Any, instance: Instance) -> Any:
    """Resource references given what the module says they are (a bucket's literal name, its ARN). References are
    named from the root module (module.m["a"].aws_s3_bucket.b): only this instance's own resources are looked up."""
    own = instance.prefix
    if isinstance(value, Ref) and value.kind == "template":
        return template([with_defaults(p, instance) for p in value.parts or ()])
    if isinstance(value, Ref) and value.kind == "expression" and value.text and value.text.startswith(own) and \
            (match := _INDEXED.match(value.text[len(own):])):
        kind = match.group(1).split(".")[-2] if match.group(1).startswith("data.") else match.group(1).split(".")[0]
        value = Ref(kind="resource", target=own + match.group(1), attribute=match.group(2), resource_type=kind)
    if not isinstance(value, Ref) or value.kind != "resource" or value.default is not None:
        return value
    if value.resource_type != "aws_s3_bucket" or value.attribute not in ("id", "bucket", "arn"):
        return value
    if not value.target.startswith(own):
        return value  # another module instance's bucket: what this one says is not about it
    name = bucket_name(instance, value.target[len(own):])
    if name is None:
        return value
    if value.attribute == "arn":  # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
        name = template(["arn:", Ref(kind="pseudo", target="AWS::Partition"), ":s3:::", name])
    return value.model_copy(update={"default": name})


def bucket_name(instance: Instance, address: str) -> Any:
    """The bucket name an aws_s3_bucket instance sets, when the module knows it; None otherwise."""
    base = address.split("[")[0]
    for block in instance.files.resources:
        if f"{block.labels[0]}.{block.labels[1]}" != base or "bucket" not in block.body.attributes:
            continue
        key = address[len(base):]
        bindings: dict = {}
        if key:
            inner = key[1:-1]
            if inner.isdigit():
                bindings = {"count": {"index": int(inner)}}
            else:  # each.value is the map's value for the key, not the key (a set's are the same)
                try:
                    pairs = dict(module.repetitions(instance, block, base))
                except InputError:
                    return None
                bindings = pairs.get(inner.strip('"'), {"each": {"key": inner.strip('"'), "value": inner.strip('"')}})
        try:
            name = field(block.body.attributes["bucket"], Scope(instance, bindings),
                         instance.prefix == "" and not bindings)
        except InputError:
            return None
        return name if isinstance(name, (str, Ref)) and name != "" else None
    return None
