"""Terraform expressions evaluated over python-hcl2's Lark parse tree (its transformer is slow and not thread-safe).

Values: str, int or Fraction, bool, None, list, TfSet, dict (sorted keys). Values nobody can know statically are
converter.values.Ref; an operation on one yields an opaque expression Ref with the operation's source text.
https://developer.hashicorp.com/terraform/language/expressions
"""

from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from typing import Any, Protocol

from lark import Token, Tree

from ..formats import hcl
from ..values import Ref, template
from . import functions as fn
from .functions import FunctionError, TfSet, has_unknown, is_list

_SKIP = {"new_line_or_comment"}
_LAZY = {"try", "can"}  # their arguments are evaluated inside them, errors caught


class EvaluationError(Exception):
    """An expression Terraform would refuse: the message and the line and column of the offending token."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


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


def error_at(node, message: str) -> EvaluationError:
    """An EvaluationError located at the first token of a node."""
    token = _first_token(node)
    return EvaluationError(message, getattr(token, "line", None), getattr(token, "column", None))


def _first_token(node):
    if isinstance(node, Token):
        return node
    for child in getattr(node, "children", ()):
        token = _first_token(child)
        if token is not None:
            return token
    return None


def _kids(node) -> list:
    """The meaningful children of a node (no newlines or comments)."""
    return [c for c in node.children if not (isinstance(c, Tree) and c.data in _SKIP)]


def _trees(node) -> list:
    return [c for c in node.children if isinstance(c, Tree) and c.data not in _SKIP]


def parse_expression(text: str, line: int = 1):
    """The parse tree of one expression's source text (its tokens numbered from line)."""
    from lark.exceptions import UnexpectedInput

    from ..formats.terraform import _parser

    try:
        tree = _parser().parse("\n" * (line - 1) + f"x = {text}\n")
    except UnexpectedInput as exc:
        raise EvaluationError(f"invalid expression {text[:60]!r}", exc.line, exc.column) from None
    body = tree.children[0]
    return next(c for c in body.children if isinstance(c, Tree) and c.data == "attribute").children[2]


def evaluate(expr, scope) -> Any:
    """The value of an expression (a Lark Tree or Token) where scope gives the names."""
    return _Evaluator(scope, {}).eval(expr)


class _Evaluator:
    def __init__(self, scope, env: dict):
        self.scope, self.env = scope, env

    def known(self, name: str):
        known = getattr(self.scope, "known", None)
        return known(name) if known else None

    def opaque(self, node) -> Ref:
        """The reference an unknown node stands for: a traversal as hcl.reference() builds it, else its text."""
        path = traversal(node)
        if path is not None:
            return hcl.reference(path, self.known)
        return Ref(kind="expression", language="terraform", text=text_of(node))

    def child(self, **names) -> "_Evaluator":
        return _Evaluator(self.scope, {**self.env, **names})

    def eval(self, node) -> Any:
        if isinstance(node, Token):  # a bare literal token
            wrapper = {"INT_LITERAL": "int_lit", "FLOAT_LITERAL": "float_lit", "NAME": "identifier"}.get(node.type)
            if wrapper is None:
                raise error_at(node, f"not an expression: {str(node)[:40]!r}")
            return self.eval(Tree(wrapper, [node]))
        try:
            return getattr(self, "_" + node.data)(node)
        except _Unknown:
            return self.opaque(node)
        except FunctionError as exc:
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
        kids = _kids(node)
        if isinstance(kids[0], Token) and kids[0].type == "LPAR":
            return self.eval(kids[1])
        return self.eval(kids[0])

    def _int_lit(self, node):
        return fn.number(str(node.children[0]))

    _float_lit = _int_lit

    def _literal_value(self, node):
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _identifier(self, node):
        name = str(node.children[0])
        if name in self.env:
            return self.env[name]
        return self.scope.lookup(name, node)

    def _tuple(self, node):
        return [self.eval(c) for c in _trees(node)]

    def _object(self, node):
        out = {}
        for elem in _trees(node):
            key_node, _, value_node = _kids(elem)
            out[self.key(key_node)] = self.eval(value_node)
        return fn.sorted_map(out)

    def key(self, key_node) -> str:
        """An object key: a bare identifier or keyword is literal, anything else is evaluated."""
        inner = _kids(key_node)[0]
        bare = inner.children[0] if isinstance(inner, Tree) and inner.data == "expr_term" else inner
        if isinstance(bare, Tree) and bare.data in ("identifier", "keyword"):
            return str(bare.children[0])
        key = self.known_value(inner)
        if key is None:
            raise error_at(key_node, "Invalid object key: the key expression produced null")
        return fn.to_string(key)

    # --- strings -----------------------------------------------------------------------------------

    def _string(self, node):
        return self.template(_string_items(node))

    def _template_string(self, node):
        return _unescape(str(node.children[0])[2:-2], node.children[0])

    def _heredoc_template(self, node):
        return self.template(_heredoc_items(str(node.children[0]), node))

    _heredoc_template_trim = _heredoc_template

    def template(self, items: list):
        """A template's value; a lone interpolation keeps its value's type, as HCL does."""
        seq, _ = _nest(_strip(items), 0, ())
        if len(seq) == 1 and seq[0][0] == "interp":
            return self.eval(seq[0][1])
        return template(self.parts(seq))

    def parts(self, seq: list) -> list:
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
        value = self.eval(node)
        if isinstance(value, Ref):
            return value
        if value is None:
            raise error_at(node, "Invalid template interpolation value: the expression result is null")
        if isinstance(value, (list, tuple, dict)):
            raise error_at(node, f"Invalid template interpolation value: cannot include a {fn.kind(value)} in a string")
        return fn.to_string(value)

    # --- operators ---------------------------------------------------------------------------------

    def _binary_op(self, node):
        lhs_node, term = _trees(node)[:2]
        operator, rhs_node = _kids(term)
        op = str(operator.children[0]).strip()
        lhs, rhs = self.eval(lhs_node), self.eval(rhs_node)
        if op in ("==", "!=") and None in (lhs, rhs) and not isinstance(lhs, Ref) and not isinstance(rhs, Ref):
            return (lhs is rhs) == (op == "==")  # {a = unknown} != null is known
        if has_unknown(lhs) or has_unknown(rhs):
            raise _Unknown
        if op in ("==", "!="):
            return fn.equal(lhs, rhs) == (op == "==")
        try:
            if op in ("&&", "||"):
                a, b = self.operand(fn.to_bool, lhs, lhs_node), self.operand(fn.to_bool, rhs, rhs_node)
                return (a and b) if op == "&&" else (a or b)
            a, b = self.operand(fn.to_number, lhs, lhs_node), self.operand(fn.to_number, rhs, rhs_node)
        except FunctionError as exc:
            raise error_at(node, f"Invalid operand: {exc}") from None
        return _arithmetic(op, a, b, node)

    def operand(self, convert, value, node):
        if value is None:
            raise error_at(node, "Invalid operand: a null value cannot be an operand")
        return convert(value)

    def _unary_op(self, node):
        op, operand_node = _kids(node)
        value = self.known_value(operand_node)
        if value is None:
            raise error_at(node, "Invalid operand: a null value cannot be an operand")
        return (not fn.to_bool(value)) if str(op) == "!" else fn.normal(-Fraction(fn.to_number(value)))

    def condition(self, node) -> bool:
        value = self.known_value(node)
        if value is None:
            raise error_at(node, "Null condition: the condition value is null; it must be true or false")
        return fn.to_bool(value)

    def _conditional(self, node):
        cond, yes, no = _trees(node)
        chosen, other = (yes, no) if self.condition(cond) else (no, yes)
        value = self.eval(chosen)
        try:  # HCL converts both results to one type (true ? 1 : "a" is "1"); an error in the other is ignored
            unchosen = self.eval(other)
        except EvaluationError:
            return value
        return _unify(value, unchosen, node)

    # --- traversals --------------------------------------------------------------------------------

    def _get_attr_expr_term(self, node):
        base, step = _trees(node)
        return self.step(self.known_value(base), step)

    _index_expr_term = _get_attr_expr_term

    def _full_splat_expr_term(self, node):
        base_node, splat = _trees(node)
        base = self.known_value(base_node)
        items = [] if base is None else list(base) if is_list(base) else [base]
        out = []
        for item in items:
            for step in _trees(splat):
                if isinstance(item, Ref):
                    raise _Unknown
                item = self.step(item, step)
            out.append(item)
        return out

    _attr_splat_expr_term = _full_splat_expr_term

    def step(self, value, step):
        """One attribute access or index, with Terraform's errors."""
        if step.data == "get_attr":
            name = str(_trees(step)[0].children[0])
            if not isinstance(value, dict):
                raise error_at(step, f"Unsupported attribute: cannot access attribute {name!r} on a "
                                     f"{fn.kind(value)} value")
            if name not in value:
                raise error_at(step, f"Unsupported attribute: this object does not have an attribute named {name!r}")
            return value[name]
        key = int(str(_kids(step)[1])) if step.data == "short_index" else self.known_value(_kids(step)[1])
        return _index(value, key, step)

    # --- for expressions ---------------------------------------------------------------------------

    def collection(self, node):
        value = self.known_value(node)
        if value is None:
            raise error_at(node, "Iteration over null value: a null value cannot be used as the collection")
        if not isinstance(value, (list, tuple, dict)):
            raise error_at(node, f"Iteration over non-iterable value: a {fn.kind(value)} cannot be iterated")
        return value

    def iterations(self, node):
        """(evaluator with the loop names bound, kept by the if clause) for each element."""
        intro = _trees(node)[0]
        names = [str(t.children[0]) for t in _trees(intro) if t.data == "identifier"]
        coll = [t for t in _trees(intro) if t.data != "identifier"][0]
        cond = [t for t in _trees(node) if t.data == "for_cond"]
        for k, v in _pairs(self.collection(coll)):
            inner = self.child(**dict(zip(names, [k, v] if len(names) == 2 else [v])))
            if not cond or inner.condition(_trees(cond[0])[0]):
                yield inner

    def _for_tuple_expr(self, node):
        body = _trees(node)[1]
        return [inner.eval(body) for inner in self.iterations(node)]

    def _for_object_expr(self, node):
        key_node, value_node = _trees(node)[1:3]
        group = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
        out: dict = {}
        for inner in self.iterations(node):
            key = inner.known_value(key_node)
            if key is None:
                raise error_at(key_node, "Invalid object key: the key expression produced null")
            key = fn.to_string(key)
            if key in out and not group:
                raise error_at(key_node, f"Duplicate object key: two elements produce the key {key!r}; "
                                         "add ... after the value to group them")
            value = inner.eval(value_node)
            out.setdefault(key, []).append(value) if group else out.__setitem__(key, value)
        return fn.sorted_map(out)

    # --- functions ---------------------------------------------------------------------------------

    def _function_call(self, node):
        names = [t for t in _trees(node) if t.data == "identifier"]
        name = "::".join(str(t.children[0]) for t in names)
        args_node = [t for t in _trees(node) if t.data == "arguments"]
        arg_nodes = _trees(args_node[0]) if args_node else []
        if name in _LAZY:
            return self.lazy(name, arg_nodes, node)
        call = fn.FUNCTIONS.get(name)
        if call is None and name not in fn.UNKNOWN:
            raise error_at(node, f"Call to unknown function: there is no function named {name!r}")
        args = [self.eval(a) for a in arg_nodes]
        if args_node and any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in args_node[0].children):
            if isinstance(args[-1], Ref):
                raise _Unknown
            args = args[:-1] + fn.to_list(args[-1], "list to expand with ...")
        if call is None or any(isinstance(a, Ref) for a in args):
            raise _Unknown
        if name not in fn.STRUCTURAL and any(has_unknown(a) for a in args):
            raise _Unknown
        try:
            return call(*args)
        except TypeError:
            raise error_at(node, f"Invalid function call: wrong number of arguments for {name}") from None
        except FunctionError as exc:
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
                raise _Unknown
            return True if name == "can" else value
        if name == "can":
            return False
        raise error_at(node, "Error in function call: try: no expression succeeded")


def _arithmetic(op: str, a, b, node):
    if op in ("<", ">", "<=", ">="):
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    a, b = Fraction(a), Fraction(b)
    if op in ("/", "%") and b == 0:
        raise error_at(node, "Operation failed: can't divide by zero")
    if op == "%":  # the sign follows the dividend, as Go's math/big does
        return fn.normal(a - b * int(a / b))
    return fn.normal({"+": a + b, "-": a - b, "*": a * b, "/": a / b}[op])


def _unify(value, other, node):
    """The chosen result of a conditional converted to the other's type where HCL converts primitives."""
    kinds = {fn.kind(value), fn.kind(other)} - {"null"}
    if len(kinds) == 2 and kinds <= {"string", "number", "bool"}:
        if "string" not in kinds:
            raise error_at(node, "Inconsistent conditional result types: number and bool")
        return fn.to_string(value)
    return value


def _index(value, key, step):
    if value is None:
        raise error_at(step, "Attempt to index null value: this value is null, so it does not have any indices")
    if isinstance(value, dict):
        if key is None or isinstance(key, (list, tuple, dict)):
            raise error_at(step, "Invalid index: a map or object is indexed by a string")
        key = fn.to_string(key)
        if key not in value:
            raise error_at(step, f"Invalid index: the given key {key!r} does not identify an element")
        return value[key]
    if isinstance(value, TfSet) or not is_list(value):
        raise error_at(step, f"Invalid index: a {fn.kind(value)} value cannot be indexed")
    try:
        index = fn.to_int(key)
    except FunctionError:
        raise error_at(step, "Invalid index: a list or tuple is indexed by a whole number") from None
    if not 0 <= index < len(value):
        raise error_at(step, "Invalid index: the given key does not identify an element in this collection value")
    return value[index]


def _pairs(value) -> list:
    """(key, value) pairs as a for expression iterates them: index of a list, key of a map, element of a set."""
    if isinstance(value, dict):
        return list(fn.sorted_map(value).items())
    if isinstance(value, TfSet):
        return [(v, v) for v in value]
    return list(enumerate(value))


# --- templates: items ("lit", text) ("interp", node, l, r) ("if", node, l, r) ("else"/"endif"/"endfor", l, r)
#     ("for", key, value, node, l, r); l and r are the ~ strip markers --------------------------------------

def _string_items(node) -> list:
    items = []
    for part in _trees(node):
        child = part.children[0]
        if isinstance(child, Token):  # $${ and %%{ stand for a literal ${ and %{
            text = str(child)[1:] if child.type.startswith("ESCAPED") else str(child)
            items.append(("lit", _unescape(text, child)))
        else:
            items.append(_directive_item(child))
    return items


_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[nrt"\\]|.?)', re.S)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str, token) -> str:
    """A quoted literal decoded and, as HashiCorp's parser does, normalized to NFC.

    https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences
    """
    def one(match):
        code = match.group(1)
        if code in _ESCAPES:
            return _ESCAPES[code]
        if len(code) in (5, 9):
            try:
                return chr(int(code[1:], 16))
            except ValueError:  # beyond U+10FFFF
                pass
        raise error_at(token, f"Invalid escape sequence \\{code}: use \\\\ for a backslash")
    return unicodedata.normalize("NFC", _ESCAPE.sub(one, text))


def _directive_item(tree) -> tuple:
    kids = _kids(tree)
    left = len(kids) > 1 and isinstance(kids[1], Token) and kids[1].type == "STRIP_MARKER"
    right = len(kids) > 1 and isinstance(kids[-2], Token) and kids[-2].type == "STRIP_MARKER"
    exprs = [k for k in kids if isinstance(k, Tree) and k.data != "identifier"]
    if tree.data == "interpolation":
        return ("interp", exprs[0], left, right)
    if tree.data == "template_for_start":
        names = [str(k.children[0]) for k in kids if isinstance(k, Tree) and k.data == "identifier"]
        return ("for", names[0] if len(names) == 2 else None, names[-1], exprs[0], left, right)
    word = tree.data.replace("template_", "").replace("_start", "")
    return (word, exprs[0], left, right) if word == "if" else (word, left, right)


def _heredoc_items(text: str, node) -> list:
    """A heredoc's template items: its body (indentation trimmed for <<-) with ${...} and %{...} parsed."""
    lines = text.replace("\r\n", "\n").split("\n")
    body = lines[1:-2]
    if text.startswith("<<-"):
        indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
        cut = min(indents, default=0)
        body = [line[cut:] for line in body]
    source = "".join(line + "\n" for line in body)
    items, literal, i = [], [], 0
    while i < len(source):
        if source.startswith(("$${", "%%{"), i):
            literal.append(source[i + 1:i + 3])
            i += 3
        elif source.startswith(("${", "%{"), i):
            end = hcl._closing(source, i + 2)
            if end < 0:
                raise error_at(node, "Unterminated template sequence in a heredoc")
            items += [("lit", unicodedata.normalize("NFC", "".join(literal)))]
            line = (getattr(node.children[0], "line", None) or 1) + 1 + source.count("\n", 0, i)
            items.append(_heredoc_directive(source[i], source[i + 2:end], node, line))
            literal, i = [], end + 1
        else:
            literal.append(source[i])
            i += 1
    return items + [("lit", unicodedata.normalize("NFC", "".join(literal)))]


def _heredoc_directive(marker: str, inner: str, node, line: int) -> tuple:
    left, right = inner.startswith("~"), inner.endswith("~")
    inner = inner[1 if left else 0:len(inner) - (1 if right else 0)].strip()
    if marker == "$":
        return ("interp", parse_expression(inner, line), left, right)
    if inner in ("else", "endif", "endfor"):
        return (inner, left, right)
    match = re.fullmatch(r"if\s+(.+)", inner, re.S)
    if match:
        return ("if", parse_expression(match.group(1), line), left, right)
    match = re.fullmatch(r"for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.+)", inner, re.S)
    if not match:
        raise error_at(node, f"Invalid template directive %{{{inner[:40]}}}")
    key, value = (match.group(1), match.group(2)) if match.group(2) else (None, match.group(1))
    return ("for", key, value, parse_expression(match.group(3), line), left, right)


def _strip(items: list) -> list:
    """Literals with the whitespace next to ~ markers removed."""
    items = list(items)
    for i, item in enumerate(items):
        if item[0] == "lit":
            continue
        left, right = item[-2], item[-1]
        if left and i > 0 and items[i - 1][0] == "lit":
            items[i - 1] = ("lit", items[i - 1][1].rstrip())
        if right and i + 1 < len(items) and items[i + 1][0] == "lit":
            items[i + 1] = ("lit", items[i + 1][1].lstrip())
    return [item for item in items if item != ("lit", "")]


def _nest(items: list, i: int, stop: tuple) -> tuple[list, int]:
    """Flat items as a sequence of lit, interp, ("if", node, then, else) and ("for", key, value, node, body)."""
    seq = []
    while i < len(items):
        item = items[i]
        if item[0] in stop:
            return seq, i
        if item[0] == "if":
            then, i = _nest(items, i + 1, ("else", "endif"))
            other = []
            if i < len(items) and items[i][0] == "else":
                other, i = _nest(items, i + 1, ("endif",))
            _expect(items, i, "endif")
            seq.append(("if", item[1], then, other))
        elif item[0] == "for":
            body, i = _nest(items, i + 1, ("endfor",))
            _expect(items, i, "endfor")
            seq.append(("for", item[1], item[2], item[3], body))
        elif item[0] in ("else", "endif", "endfor"):
            raise EvaluationError(f"Unexpected %{{{item[0]}}} in a template: no matching %{{if}} or %{{for}}")
        else:
            seq.append(item[:2])
        i += 1
    return seq, i


def _expect(items: list, i: int, word: str) -> None:
    if i >= len(items) or items[i][0] != word:
        raise EvaluationError(f"Unterminated template directive: %{{{word}}} is missing")


# --- source text ---------------------------------------------------------------------------------

def traversal(expr) -> str | None:
    """The reference an expression is when it is a plain traversal (var.x, aws_s3_bucket.d["k"].arn), else None."""
    node = expr
    while isinstance(node, Tree) and node.data == "expr_term":  # parentheses too: (var.x) is var.x
        node = _trees(node)[0]
    if isinstance(node, Tree) and node.data == "identifier":
        return str(node.children[0])
    if not isinstance(node, Tree) or node.data not in ("get_attr_expr_term", "index_expr_term"):
        return None
    base, step = _trees(node)
    head = traversal(base)
    if head is None:
        return None
    if step.data == "braces_index":
        key = _kids(step)[1]
        literal = key.children[0] if isinstance(key, Tree) and key.data == "expr_term" else None
        if not isinstance(literal, Tree) or literal.data not in ("int_lit", "string") or \
                any(isinstance(p.children[0], Tree) for p in _trees(literal)):
            return None
    return head + text_of(step)


def text_of(expr) -> str:
    """The canonical Terraform source text of an expression (it parses back to the same tree)."""
    if isinstance(expr, Token):
        return str(expr).strip()
    return _TEXT.get(expr.data, _joined)(expr)


def _joined(node) -> str:
    return "".join(text_of(k) for k in _kids(node))


def _expr_term_text(node) -> str:
    kids = _kids(node)
    return f"({text_of(kids[1])})" if isinstance(kids[0], Token) and kids[0].type == "LPAR" else text_of(kids[0])


def _directive_text(node) -> str:
    kids = _kids(node)
    left = "~" if len(kids) > 1 and getattr(kids[1], "type", "") == "STRIP_MARKER" else ""
    right = "~" if len(kids) > 1 and getattr(kids[-2], "type", "") == "STRIP_MARKER" else ""
    words = [text_of(k) for k in kids if getattr(k, "type", "") not in ("DIRECTIVE_START", "STRIP_MARKER", "RBRACE")]
    body = " ".join(words).replace(" , ", ", ")
    return "%{" + left + " " + body + " " + right + "}"


def _for_text(node) -> str:
    words = [text_of(k) for k in _kids(node)]
    open_, close = words[0], words[-1]
    body = " ".join(words[1:-1]).replace(" ...", "...")
    return open_ + body + close


_TEXT = {
    "expr_term": _expr_term_text,
    "string": lambda n: "".join(text_of(k) if isinstance(k, Tree) else str(k) for k in n.children),
    "string_part": lambda n: str(n.children[0]) if isinstance(n.children[0], Token) else text_of(n.children[0]),
    "interpolation": lambda n: "${" + text_of(_trees(n)[0]) + "}",
    "template_if_start": _directive_text, "template_else": _directive_text, "template_endif": _directive_text,
    "template_for_start": _directive_text, "template_endfor": _directive_text,
    "heredoc_template": lambda n: str(n.children[0]), "heredoc_template_trim": lambda n: str(n.children[0]),
    "template_string": lambda n: str(n.children[0]),
    "tuple": lambda n: "[" + ", ".join(text_of(t) for t in _trees(n)) + "]",
    "object": lambda n: "{ " + ", ".join(text_of(t) for t in _trees(n)) + " }" if _trees(n) else "{}",
    "object_elem": lambda n: text_of(_kids(n)[0]) + (" = " if _kids(n)[1].type == "EQ" else ": ") + text_of(_kids(n)[2]),
    "function_call": lambda n: "::".join(text_of(t) for t in _trees(n) if t.data == "identifier") + "(" + "".join(
        text_of(t) for t in _trees(n) if t.data == "arguments") + ")",
    "arguments": lambda n: ", ".join(text_of(t) for t in _trees(n)) + (
        "..." if any(getattr(c, "type", "") == "ELLIPSIS" for c in n.children) else ""),
    "binary_op": lambda n: text_of(_trees(n)[0]) + " " + text_of(_trees(n)[1]),
    "binary_term": lambda n: " ".join(text_of(k) for k in _kids(n)),
    "conditional": lambda n: " ? ".join(text_of(t) for t in _trees(n)[:2]) + " : " + text_of(_trees(n)[2]),
    "attr_splat": _joined, "full_splat": _joined,
    "for_tuple_expr": _for_text, "for_object_expr": _for_text,
    "for_intro": lambda n: " ".join(text_of(k) for k in _kids(n)).replace(" ,", ",") ,
    "for_cond": lambda n: "if " + text_of(_trees(n)[0]),
}
