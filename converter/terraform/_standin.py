"""A small stand-in for converter.terraform.evaluate until it lands: literals, templates, collections, references."""

from __future__ import annotations

import unicodedata

from ..values import Ref, template


class EvaluationError(Exception):
    pass


def _tok(node):
    while hasattr(node, "children"):
        node = node.children[0]
    return node


def text_of(expr) -> str:
    out = []
    stack = [expr]
    while stack:
        node = stack.pop()
        if hasattr(node, "children"):
            stack.extend(reversed(node.children))
        else:
            out.append(str(node))
    return " ".join(out)


def traversal(expr) -> str | None:
    node = expr
    while getattr(node, "data", None) == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    if getattr(node, "data", None) == "identifier":
        return str(node.children[0])
    if getattr(node, "data", None) == "get_attr_expr_term":
        head = traversal(node.children[0])
        return None if head is None else f"{head}.{_tok(node.children[1].children[1])}"
    if getattr(node, "data", None) == "index_expr_term":
        head = traversal(node.children[0])
        index = node.children[1]
        inner = index.children[1] if index.data == "braces_index" else index.children[1]
        text = text_of(inner).replace(" ", "")
        return None if head is None else f"{head}[{text}]"
    return None


def evaluate(expr, scope):
    data = getattr(expr, "data", None)
    kids = [c for c in getattr(expr, "children", []) if getattr(c, "data", None) != "new_line_or_comment"]
    if data == "expr_term":
        if len(kids) == 3:
            return evaluate(kids[1], scope)
        return evaluate(kids[0], scope)
    if data == "int_lit":
        return int(str(kids[0]))
    if data == "literal_value":
        return {"true": True, "false": False, "null": None}[str(kids[0])]
    if data == "string":
        from ..formats.hcl import _unescape

        parts = []
        for part in kids[1:-1]:
            inner = part.children[0]
            if getattr(inner, "data", None) == "interpolation":
                value = evaluate(inner.children[1], scope)
                parts.append(value if isinstance(value, Ref) else str(value))
            else:
                parts.append(unicodedata.normalize("NFC", _unescape(str(inner))))
        if len(parts) == 1 and not isinstance(parts[0], str):
            return parts[0]
        return template(parts)
    if data == "tuple":
        return [evaluate(k, scope) for k in kids[1:-1] if hasattr(k, "data")]
    if data == "object":
        out = {}
        for elem in kids:
            if getattr(elem, "data", None) == "object_elem":
                key_node = elem.children[0].children[0]
                trav = traversal(key_node)
                key = trav if trav and "." not in trav else evaluate(key_node, scope)
                out[key] = evaluate(elem.children[2], scope)
        return out
    if data == "conditional":
        condition = evaluate(kids[0], scope)
        return evaluate(kids[2] if condition else kids[4], scope)
    path = traversal(expr)
    if path is not None:
        root, _, rest = path.partition(".")
        base = scope.lookup(root, expr)
        if base is None:
            from ..formats.hcl import reference

            return reference(path, lambda n: None)
        for step in rest.replace("[", ".").replace("]", "").split(".") if rest else []:
            step = int(step) if step.isdigit() else step.strip('"')
            try:
                base = base[step]
            except (KeyError, IndexError, TypeError):
                if isinstance(base, Ref):
                    return Ref(kind="expression", language="terraform", text=path)
                raise EvaluationError(f"no {step!r} in {path}")
        return base
    raise EvaluationError(f"the stand-in cannot evaluate {data}")
