"""Between module evaluation and the expression evaluator: names resolved in a module instance, JSON-syntax values.

The evaluator (converter.terraform.evaluate) walks one expression; this module tells it what var.x, local.y, each,
count, an iterator, module.m.out and resource attributes are, and evaluates Terraform's JSON syntax (strings are
templates there).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError, error
from ..values import Ref
from . import evaluate as _evaluator
from . import syntax
from .syntax import Attribute, Json


def value(attribute: Attribute, scope) -> Any:
    """An attribute's value in a scope; an evaluation error becomes an InputError at the attribute."""
    return expression_value(attribute.expr, scope, attribute)


def expression_value(expr, scope, attribute: Attribute) -> Any:
    try:
        if isinstance(expr, Json):
            return _json(expr.value, scope, attribute)
        return _evaluator.evaluate(expr, Lookup(scope, attribute))
    except _evaluator.EvaluationError as exc:
        line = getattr(exc, "line", None) or attribute.line or None
        column = getattr(exc, "column", None) or (attribute.column if line == attribute.line else None)
        raise InputError(error("evaluation", f"{attribute.name}: {exc}", file=attribute.file, line=line,
                               column=column or None)) from None
    except RecursionError:
        raise InputError(error("too-deep", f"{attribute.name}: the expression is nested too deeply",
                               file=attribute.file, line=attribute.line or None)) from None


def _json(data: Any, scope, attribute: Attribute) -> Any:
    if isinstance(data, str) and "${" not in data and "%{" not in data:
        return data  # a literal: nothing to parse
    if isinstance(data, str):
        return _evaluator.evaluate(json_template(data, attribute), Lookup(scope, attribute))
    if isinstance(data, dict):
        return {_json(k, scope, attribute): _json(v, scope, attribute) for k, v in data.items()}
    if isinstance(data, list):
        return [_json(v, scope, attribute) for v in data]
    if isinstance(data, float) and data.is_integer():
        return int(data)
    return data


def json_template(text: str, attribute: Attribute):
    """The expression tree of a JSON-syntax string; a string that is one ${...} is that expression's value."""
    try:
        if text.startswith("${") and text.endswith("}") and text.count("${") == 1 and "%{" not in text:
            return syntax.expression(text[2:-1])
        return syntax.template(text)
    except ValueError as exc:
        raise InputError(error("syntax", f"{attribute.name}: {exc}", file=attribute.file)) from None


def constant(attribute: Attribute) -> Any:
    """A value that refers to nothing (a variable default, a .tfvars value)."""
    return value(attribute, None)


def constant_of_tree(expr) -> Any:
    """An optional() attribute's default in a type constraint."""
    return expression_value(expr, None, Attribute("default", expr, "", 0, 0))


def unknown(data: Any) -> bool:
    """Whether a value is, or holds, something known only after apply."""
    if isinstance(data, Ref):
        return True
    if isinstance(data, dict):
        return any(unknown(v) for v in data.values())
    if isinstance(data, (list, tuple)):
        return any(unknown(v) for v in data)
    return False


def is_set(data: Any) -> bool:
    return isinstance(data, _evaluator.TfSet)


def ordered(data: Any) -> list:
    return list(data)


def traversal(expr) -> str | None:
    """var.x, local.y, aws_s3_bucket.b["k"].arn for a plain reference; None for anything else."""
    return _evaluator.traversal(expr)


def text(attribute: Attribute) -> str:
    """The source text of an attribute's expression."""
    if isinstance(attribute.expr, Json):
        return attribute.expr.value if isinstance(attribute.expr.value, str) else str(attribute.expr.value)
    return _evaluator.text_of(attribute.expr)


def references(expr) -> list[tuple[str, str]]:
    """(root, name) of each var.x / local.y an expression names."""
    if isinstance(expr, Json):
        found, stack = [], [expr.value]
        while stack:
            item = stack.pop()
            if isinstance(item, str) and ("${" in item or "%{" in item):
                try:
                    found += references(syntax.template(item))
                except ValueError:
                    pass
            elif isinstance(item, dict):
                stack += list(item.values())
            elif isinstance(item, list):
                stack += item
        return found
    found, stack = [], [expr]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if children is None:
            continue
        if node.data == "get_attr_expr_term":
            path = _evaluator.traversal(node)
            parts = (path or "").split(".")
            if len(parts) >= 2 and parts[0] in ("var", "local"):
                found.append((parts[0], parts[1].split("[")[0]))
        stack.extend(children)
    return found


class Lookup:
    """The evaluator's Scope: var, local, each, count, path, module, data and resources in one module instance."""

    def __init__(self, scope, attribute: Attribute):
        self.scope, self.attribute = scope, attribute

    def lookup(self, root: str, node=None) -> Any:
        scope = self.scope
        if scope is None:
            raise _evaluator.EvaluationError(f"a constant value cannot refer to {root}")
        instance, bindings = scope.instance, scope.bindings
        if root in bindings:
            return bindings[root]
        if root == "var":
            return Variables(instance)
        if root == "local":
            return Locals(instance)
        if root == "path":
            return {"module": instance.files.directory, "root": instance.root, "cwd": "."}
        if root == "module":
            return Modules(instance)
        if root in ("each", "count"):
            raise _evaluator.EvaluationError(f"{root} is only available in a block that sets "
                                             f"{'for_each' if root == 'each' else 'count'}")
        return Ref(kind="expression", language="terraform", text=root)  # a resource or data source: unknown

    def known(self, name: str):
        """What the module says a reference is: an aws_s3_bucket's literal name (id, bucket) or its ARN."""
        from . import expand

        if self.scope is None or not name.startswith("aws_s3_bucket."):
            return None
        address, _, attribute = name.rpartition(".")
        ref = Ref(kind="resource", target=self.scope.instance.prefix + address, attribute=attribute,
                  resource_type="aws_s3_bucket")
        return expand.with_defaults(ref, self.scope.instance).default

    def qualified(self, ref: Ref) -> Ref:
        """A reference to a resource of this module instance, named from the root module: each instance of a module
        called with count or for_each has its own (module.m["a"].aws_iam_role.r is not module.m["b"]'s)."""
        prefix = self.scope.instance.prefix if self.scope is not None else ""
        if not prefix or ref.kind not in ("resource", "expression") or (ref.text or "").startswith(("var.", "local.")):
            return ref  # var.n[0] (an expression: indexed) is this instance's input, named as it is
        if ref.kind == "resource":
            return ref.model_copy(update={"target": prefix + ref.target})
        return ref.model_copy(update={"text": prefix + ref.text})


class _Lazy(dict):
    """A read-only mapping whose values are computed when asked for (a dict to the evaluator, empty underneath)."""

    def __init__(self, instance):
        super().__init__()
        self.instance = instance

    def __contains__(self, key) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default


class Variables(_Lazy):
    def __getitem__(self, name):
        return self.instance.variable(name)


class Locals(_Lazy):
    def __getitem__(self, name):
        return self.instance.local(name)


class Modules(_Lazy):
    def __getitem__(self, name):
        if name not in self.instance.files.calls:  # not declared here (a generated snippet): unknown, as Terraform
            return Ref(kind="expression", language="terraform", text=f"module.{name}")  # would not say either
        calls = self.instance.child(name)
        if not calls and self.instance.call_files(name) is None:  # a local source that is not there
            return Ref(kind="expression", language="terraform", text=f"module.{name}")
        if len(calls) == 1 and calls[0][0] is None:
            return Outputs(calls[0][1])
        if all(isinstance(k, int) for k, _ in calls):
            return [Outputs(child) for _, child in calls]
        return {k: Outputs(child) for k, child in calls}


class Outputs(_Lazy):
    def __getitem__(self, name):
        return self.instance.output(name)
