"""Terraform expressions evaluated over python-hcl2's Lark parse tree (its transformer is slow and not thread-safe).

Values: str, int or Fraction, bool, None, list, TfSet, dict (sorted keys). Values nobody can know statically are
converter.values.Ref; an operation on one yields an opaque expression Ref with the operation's source text.
https://developer.hashicorp.com/terraform/language/expressions
"""

from __future__ import annotations

import operator
from fractions import Fraction
from typing import Any, Protocol

from lark import Token, Tree

from ..formats import hcl
from ..values import Ref, template
from . import cty
from . import functions as fn
from .cty import FunctionError, TfSet, has_unknown, is_list
from .templates import heredoc_items, nest, string_items, strip, unescape
from .tree import EvaluationError, error_at, kids, parse_expression, text_of, traversal, trees

__all__ = ["EvaluationError", "Scope", "error_at", "evaluate", "parse_expression", "text_of", "traversal"]

_LAZY = {"try", "can"}  # their arguments are evaluated inside them, errors caught


class Scope(Protocol):
    """What names mean where an expression is evaluated."""

    def lookup(self, root: str, node) -> Any:
        """The value of a root name (var, local, each, count, path, terraform, module, data or a resource type).

        Return a dict (the evaluator applies the traversal's attributes and indexes to it), any value, or a Ref
        when the root's attributes are unknown (resources, data sources): the traversal becomes that reference.
        Raise EvaluationError (see error_at) when the name means nothing here. An optional known(name) method
        gives the default hcl.reference() records for a reference.
        """


class _Unknown(Exception):
    """An operand is unknown: the node being evaluated becomes an opaque expression."""


def evaluate(expr, scope) -> Any:
    """The value of an expression (a Lark Tree or Token) where scope gives the names."""
    return _Evaluator(scope, {}).eval(expr)


class _Evaluator:
    def __init__(self, scope, env: dict):
        self.scope, self.env = scope, env

    def known(self, name: str):
        """What the scope says a reference is (hcl.reference() records it as the default)."""
        known = getattr(self.scope, "known", None)
        return known(name) if known else None

    def opaque(self, node) -> Ref:
        """The reference an unknown node stands for: a traversal as hcl.reference() builds it, else its text."""
        path = traversal(node, self.literal_index)
        if path is None:
            return Ref(kind="expression", language="terraform", text=text_of(node))
        ref = hcl.reference(path, self.known)
        qualified = getattr(self.scope, "qualified", None)  # a module instance's own resources named from the root
        return qualified(ref) if qualified else ref

    def literal_index(self, key) -> str | None:
        """An index written as an expression, as the literal index it is here (aws_s3_bucket.b[each.key] of the
        instance "a" is aws_s3_bucket.b["a"]: each instance its own reference); None when it is not known."""
        try:
            value = self.eval(key)
        except EvaluationError:
            return None
        if isinstance(value, Fraction) and value.denominator == 1:
            value = int(value)
        if isinstance(value, str):  # expression text, as written in source: ${ escaped
            return f'["{hcl.escape(value)}"]'
        return f"[{value}]" if isinstance(value, int) and not isinstance(value, bool) else None

    def child(self, **names) -> "_Evaluator":
        """An evaluator with more names bound (a for expression's key and value)."""
        return _Evaluator(self.scope, {**self.env, **names})

    def eval(self, node) -> Any:
        """A node's value; an unknown operand makes the node an opaque reference."""
        if isinstance(node, Token):  # a bare literal token
            wrapper = {"INT_LITERAL": "int_lit", "FLOAT_LITERAL": "float_lit", "NAME": "identifier"}.get(node.type)
            if wrapper is None:
                raise error_at(node, f"not an expression: {str(node)[:40]!r}")
            return self.eval(Tree(wrapper, [node]))
        handler = getattr(self, "_" + str(node.data), None)
        if handler is None:  # a block or a body given where an expression belongs
            raise error_at(node, f"not an expression: {node.data}")
        try:
            return handler(node)
        except _Unknown:
            return self.opaque(node)
        except (FunctionError, ArithmeticError) as exc:  # a refusal with its location, never a traceback
            raise error_at(node, str(exc)) from None
        except RecursionError:
            raise error_at(node, "the expression is nested too deeply") from None

    def known_value(self, node) -> Any:
        """A value that decides something (an operand, a condition): unknown makes the caller opaque."""
        value = self.eval(node)
        if isinstance(value, Ref):
            raise _Unknown
        return value

    # --- terms -------------------------------------------------------------------------------------

    def _expr_term(self, node):
        parts = kids(node)
        if isinstance(parts[0], Token) and parts[0].type == "LPAR":
            return self.eval(parts[1])
        return self.eval(parts[0])

    def _int_lit(self, node):
        return cty.number(str(node.children[0]))

    _float_lit = _int_lit

    def _literal_value(self, node):
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _identifier(self, node):
        name = str(node.children[0])
        if name in self.env:
            return self.env[name]
        return self.scope.lookup(name, node)

    def _tuple(self, node):
        return [self.eval(c) for c in trees(node)]

    def _object(self, node):
        out = {}
        for elem in trees(node):
            key_node, _, value_node = kids(elem)
            out[self.key(key_node)] = self.eval(value_node)
        return cty.sorted_map(out)

    def key(self, key_node) -> str:
        """An object key: a bare identifier or keyword is literal, anything else is evaluated."""
        inner = kids(key_node)[0]
        bare = inner.children[0] if isinstance(inner, Tree) and inner.data == "expr_term" else inner
        if isinstance(bare, Tree) and bare.data in ("identifier", "keyword"):
            return str(bare.children[0])
        key = self.known_value(inner)
        if key is None:
            raise error_at(key_node, "Invalid object key: the key expression produced null")
        return cty.to_string(key)

    # --- strings -----------------------------------------------------------------------------------

    def _string(self, node):
        return self.template(string_items(node))

    def _template_string(self, node):
        return unescape(str(node.children[0])[2:-2], node.children[0])

    def _heredoc_template(self, node):
        return self.template(heredoc_items(str(node.children[0]), node))

    _heredoc_template_trim = _heredoc_template

    def template(self, items: list):
        """A template's value; a lone interpolation keeps its value's type, as HCL does."""
        seq, _ = nest(strip(items), 0, ())
        if len(seq) == 1 and seq[0][0] == "interp":
            return self.eval(seq[0][1])
        return template(self.parts(seq))

    def parts(self, seq: list) -> list:
        """The literal and reference parts of a nested template sequence."""
        out = []
        for item in seq:
            if item[0] == "lit":
                out.append(item[1])
            elif item[0] == "interp":
                out.append(self.interpolated(item[1]))
            elif item[0] == "if":
                out += self.parts(item[2] if self.condition(item[1]) else item[3])
            else:
                _, key, value, coll, body = item
                for k, v in _pairs(self.collection(coll)):
                    names = {value: v, **({key: k} if key else {})}
                    out += self.child(**names).parts(body)
        return out

    def interpolated(self, node):
        """An interpolation's value as a string part (or a reference)."""
        value = self.eval(node)
        if isinstance(value, Ref):
            return value
        if value is None:
            raise error_at(node, "Invalid template interpolation value: the expression result is null")
        if isinstance(value, (list, tuple, dict)):
            raise error_at(node, f"Invalid template interpolation value: cannot include a {cty.kind(value)} in a string")
        return cty.to_string(value)

    # --- operators ---------------------------------------------------------------------------------

    def _binary_op(self, node):
        lhs_node, term = trees(node)[:2]
        operator, rhs_node = kids(term)
        op = str(operator.children[0]).strip()
        lhs, rhs = self.eval(lhs_node), self.eval(rhs_node)
        if op in ("==", "!=") and None in (lhs, rhs) and not isinstance(lhs, Ref) and not isinstance(rhs, Ref):
            return (lhs is rhs) == (op == "==")  # {a = unknown} != null is known
        if has_unknown(lhs) or has_unknown(rhs):
            raise _Unknown
        if op in ("==", "!="):
            return cty.equal(lhs, rhs) == (op == "==")
        try:
            if op in ("&&", "||"):
                a, b = self.operand(cty.to_bool, lhs, lhs_node), self.operand(cty.to_bool, rhs, rhs_node)
                return (a and b) if op == "&&" else (a or b)
            a, b = self.operand(cty.to_number, lhs, lhs_node), self.operand(cty.to_number, rhs, rhs_node)
        except FunctionError as exc:
            raise error_at(node, f"Invalid operand: {exc}") from None
        return _arithmetic(op, a, b, node)

    def operand(self, convert, value, node):
        """An operator's operand converted; null is refused."""
        if value is None:
            raise error_at(node, "Invalid operand: a null value cannot be an operand")
        return convert(value)

    def _unary_op(self, node):
        op, operand_node = kids(node)
        value = self.known_value(operand_node)
        if value is None:
            raise error_at(node, "Invalid operand: a null value cannot be an operand")
        return (not cty.to_bool(value)) if str(op) == "!" else cty.normal(-Fraction(cty.to_number(value)))

    def condition(self, node) -> bool:
        """A condition's bool (an if clause, a conditional, a %{if}); unknown makes the caller opaque."""
        value = self.known_value(node)
        if value is None:
            raise error_at(node, "Null condition: the condition value is null; it must be true or false")
        return cty.to_bool(value)

    def _conditional(self, node):
        cond, yes, no = trees(node)
        chosen, other = (yes, no) if self.condition(cond) else (no, yes)
        value = self.eval(chosen)
        try:  # HCL converts both results to one type (true ? 1 : "a" is "1"); an error in the other is ignored
            other_type = cty.type_of(self.eval(other))
        except EvaluationError:  # but a failed template is still a string, a failed sum a number
            other_type = _static_type(other)
        try:
            return cty.convert(value, cty.common_type([cty.type_of(value), other_type]))
        except FunctionError as exc:
            raise error_at(node, f"Inconsistent conditional result types: {exc}") from None

    # --- traversals --------------------------------------------------------------------------------

    def _get_attr_expr_term(self, node):
        base, step = trees(node)
        return self.step(self.known_value(base), step)

    _index_expr_term = _get_attr_expr_term

    def _full_splat_expr_term(self, node):
        base_node, splat = trees(node)
        base = self.known_value(base_node)
        items = [] if base is None else list(base) if is_list(base) else [base]
        out = []
        for item in items:
            for step in trees(splat):
                if isinstance(item, Ref):
                    raise _Unknown
                item = self.step(item, step)
            out.append(item)
        return out

    _attr_splat_expr_term = _full_splat_expr_term

    def step(self, value, step):
        """One attribute access or index, with Terraform's errors."""
        if step.data == "get_attr":
            name = str(trees(step)[0].children[0])
            if not isinstance(value, dict):
                raise error_at(step, f"Unsupported attribute: cannot access attribute {name!r} on a "
                                     f"{cty.kind(value)} value")
            try:  # not `in` first: a scope's lazy mapping computes a value when asked
                return value[name]
            except KeyError:
                raise error_at(step, f"Unsupported attribute: this object does not have an attribute named "
                                     f"{name!r}") from None
        key = int(str(kids(step)[1])) if step.data == "short_index" else self.known_value(kids(step)[1])
        return _index(value, key, step)

    # --- for expressions ---------------------------------------------------------------------------

    def collection(self, node):
        """What a for expression iterates: a known list, set or map."""
        value = self.known_value(node)
        if value is None:
            raise error_at(node, "Iteration over null value: a null value cannot be used as the collection")
        if not isinstance(value, (list, tuple, dict)):
            raise error_at(node, f"Iteration over non-iterable value: a {cty.kind(value)} cannot be iterated")
        return value

    def iterations(self, node):
        """(evaluator with the loop names bound, kept by the if clause) for each element."""
        intro = trees(node)[0]
        names = [str(t.children[0]) for t in trees(intro) if t.data == "identifier"]
        coll = [t for t in trees(intro) if t.data != "identifier"][0]
        cond = [t for t in trees(node) if t.data == "for_cond"]
        for k, v in _pairs(self.collection(coll)):
            inner = self.child(**dict(zip(names, [k, v] if len(names) == 2 else [v])))
            if not cond or inner.condition(trees(cond[0])[0]):
                yield inner

    def _for_tuple_expr(self, node):
        body = trees(node)[1]
        return [inner.eval(body) for inner in self.iterations(node)]

    def _for_object_expr(self, node):
        key_node, value_node = trees(node)[1:3]
        group = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
        out: dict = {}
        for inner in self.iterations(node):
            key = inner.known_value(key_node)
            if key is None:
                raise error_at(key_node, "Invalid object key: the key expression produced null")
            key = cty.to_string(key)
            if key in out and not group:
                raise error_at(key_node, f"Duplicate object key: two elements produce the key {key!r}; "
                                         "add ... after the value to group them")
            value = inner.eval(value_node)
            out.setdefault(key, []).append(value) if group else out.__setitem__(key, value)
        return cty.sorted_map(out)

    # --- functions ---------------------------------------------------------------------------------

    def _function_call(self, node):
        names = [t for t in trees(node) if t.data == "identifier"]
        name = "::".join(str(t.children[0]) for t in names)
        args_node = [t for t in trees(node) if t.data == "arguments"]
        arg_nodes = trees(args_node[0]) if args_node else []
        if name in _LAZY:
            return self.lazy(name, arg_nodes, node)
        call = fn.FUNCTIONS.get(name)
        if call is None and name not in fn.UNKNOWN:
            raise error_at(node, f"Call to unknown function: there is no function named {name!r}")
        args = [self.eval(a) for a in arg_nodes]
        if args_node and any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in args_node[0].children):
            if isinstance(args[-1], Ref):
                raise _Unknown
            args = args[:-1] + cty.to_list(args[-1], "list to expand with ...")
        if call is None or any(isinstance(a, Ref) for a in args):
            raise _Unknown
        if name not in fn.STRUCTURAL and any(has_unknown(a) for a in args):
            raise _Unknown
        if not fn.accepts(call, len(args)):
            raise error_at(node, f"Invalid function call: wrong number of arguments for {name}")
        try:
            return call(*args)
        except (FunctionError, TypeError, ValueError, ArithmeticError) as exc:  # a refusal, never a traceback
            raise error_at(node, f"Invalid function argument: {name}: {exc}") from None

    def lazy(self, name: str, arg_nodes: list, node):
        """try and can: an argument that fails to evaluate is skipped (try) or false (can)."""
        if name == "can" and len(arg_nodes) != 1:
            raise error_at(node, "Invalid function call: can takes exactly one argument")
        for arg in arg_nodes:
            try:
                value = self.eval(arg)
            except EvaluationError:
                continue
            if isinstance(value, Ref):
                # HCL's try of an unknown is unknown until apply; a resource attribute reached without error is
                # then known and try returns it, so it reads as that reference rather than as opaque text
                # (https://developer.hashicorp.com/terraform/language/functions/try).
                if name == "try" and value.kind == "resource":
                    return value
                raise _Unknown
            return True if name == "can" else value
        if name == "can":
            return False
        raise error_at(node, "Error in function call: try: no expression succeeded")


_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
               "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}


def _arithmetic(op: str, a, b, node):
    if op in ("<", ">", "<=", ">="):
        return _ARITHMETIC[op](a, b)
    a, b = Fraction(a), Fraction(b)
    if op in ("/", "%") and b == 0:
        raise error_at(node, "Operation failed: can't divide by zero")
    if op == "%":  # the sign follows the dividend, as Go's math/big does
        return cty.normal(a - b * int(a / b))
    return cty.normal(_ARITHMETIC[op](a, b))


def _static_type(node):
    """The type HCL gives an expression that failed: its operator's result type (string for a template)."""
    while node.data == "expr_term":
        node = trees(node)[0]
    if node.data in ("string", "heredoc_template", "heredoc_template_trim"):
        return "string"
    if node.data == "unary_op":
        return "bool" if str(node.children[0]) == "!" else "number"
    if node.data == "binary_op":
        operator = str(kids(trees(node)[1])[0].children[0]).strip()
        return "number" if operator in ("+", "-", "*", "/", "%") else "bool"
    return None


def _index(value, key, step):
    if value is None:
        raise error_at(step, "Attempt to index null value: this value is null, so it does not have any indices")
    if isinstance(value, dict):
        if key is None or isinstance(key, (list, tuple, dict)):
            raise error_at(step, "Invalid index: a map or object is indexed by a string")
        key = cty.to_string(key)
        try:
            return value[key]
        except KeyError:
            raise error_at(step, f"Invalid index: the given key {key!r} does not identify an element") from None
    if isinstance(value, TfSet) or not is_list(value):
        raise error_at(step, f"Invalid index: a {cty.kind(value)} value cannot be indexed")
    try:
        index = cty.to_int(key)
    except FunctionError:
        raise error_at(step, "Invalid index: a list or tuple is indexed by a whole number") from None
    if not 0 <= index < len(value):
        raise error_at(step, "Invalid index: the given key does not identify an element in this collection value")
    return value[index]


def _pairs(value) -> list:
    """(key, value) pairs as a for expression iterates them: index of a list, key of a map, element of a set."""
    if isinstance(value, dict):
        return list(cty.sorted_map(value).items())
    if isinstance(value, TfSet):
        return [(v, v) for v in value]
    return list(enumerate(value))
