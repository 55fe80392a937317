"""Terraform type constraints: a variable's `type` applied to its value, optional() attributes and their defaults.

https://developer.hashicorp.com/terraform/language/expressions/type-constraints
"""

from __future__ import annotations

from typing import Any

from ..values import Ref
from . import functions

PRIMITIVES = ("string", "number", "bool", "any")


class TypeError_(ValueError):
    """A value that does not fit its type constraint."""


def parse(expr) -> Any:
    """A type constraint tree as data: "string", ("list", T), ("object", {name: (T, optional, default)}), ..."""
    node = _unwrap(expr)
    data = getattr(node, "data", None)
    if data == "identifier":
        name = str(node.children[0])
        return name if name in PRIMITIVES else "any"
    if data == "function_call":
        name = str(node.children[0].children[0])
        arguments = next((c for c in node.children if getattr(c, "data", None) == "arguments"), None)
        args = [c for c in (arguments.children if arguments else []) if hasattr(c, "data")]
        if name in ("list", "set", "map") and args:
            return (name, parse(args[0]))
        if name == "tuple" and args:
            return ("tuple", [parse(e) for e in _items(args[0])])
        if name == "object" and args:
            return ("object", {key: _attribute(value) for key, value in _elements(args[0])})
    return "any"


def _attribute(expr):
    node = _unwrap(expr)
    if getattr(node, "data", None) == "function_call" and str(node.children[0].children[0]) == "optional":
        arguments = next(c for c in node.children if getattr(c, "data", None) == "arguments")
        args = [c for c in arguments.children if hasattr(c, "data")]
        return (parse(args[0]), True, args[1] if len(args) > 1 else None)
    return (parse(expr), False, None)


def _unwrap(node):
    while getattr(node, "data", None) in ("expr_term", "object_elem_key") and len(node.children) == 1:
        node = node.children[0]
    return node


def _items(expr) -> list:
    node = _unwrap(expr)
    return [c for c in getattr(node, "children", []) if hasattr(c, "data") and c.data != "new_line_or_comment"]


def _elements(expr):
    for elem in _items(expr):
        if elem.data == "object_elem":
            key = _unwrap(elem.children[0])
            yield str(key.children[0]) if key.data in ("identifier", "keyword") else str(key.children[1].children[0]), \
                elem.children[2]


def convert(value: Any, kind: Any, default=lambda expr: None) -> Any:
    """value converted to the type as Terraform converts it; default(expr) evaluates an optional() default."""
    if isinstance(value, Ref) or value is None or kind == "any":
        return value
    if kind == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if functions.is_number(value):
            return functions.number_text(value)
        if isinstance(value, str):
            return value
        raise TypeError_("a string is required")
    if kind == "number":
        try:
            return functions.to_number(value)
        except (functions.FunctionError, TypeError, ValueError):
            raise TypeError_(f"a number is required, got {value!r}") from None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise TypeError_("a bool is required")
    name, inner = kind
    if name in ("list", "set"):
        items = _sequence(value)
        out = [convert(v, inner, default) for v in items]
        return functions.TfSet(out) if name == "set" else out
    if name == "tuple":
        items = _sequence(value)
        if len(items) != len(inner):
            raise TypeError_(f"a tuple of {len(inner)} elements is required")
        return [convert(v, k, default) for v, k in zip(items, inner)]
    if not isinstance(value, dict):
        raise TypeError_(f"{'a map' if name == 'map' else 'an object'} is required")
    if name == "map":
        return {k: convert(v, inner, default) for k, v in value.items()}
    out = {}
    for key, (attribute, optional, fallback) in inner.items():
        if key in value and value[key] is not None:
            out[key] = convert(value[key], attribute, default)
        elif key in value or optional:
            given = default(fallback) if fallback is not None and value.get(key) is None else None
            out[key] = convert(given, attribute, default) if given is not None else None
        else:
            raise TypeError_(f"attribute {key!r} is required")
    return out


def _sequence(value) -> list:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    raise TypeError_("a list is required")
