"""The parse tree of Terraform expressions (python-hcl2's Lark grammar): locations, source text, references."""

from __future__ import annotations

from lark import Token, Tree

_SKIP = {"new_line_or_comment"}


class EvaluationError(Exception):
    """An expression Terraform would refuse: the message and the line and column of the offending token."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column

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


def kids(node) -> list:
    """The meaningful children of a node (no newlines or comments)."""
    return [c for c in node.children if not (isinstance(c, Tree) and c.data in _SKIP)]


def trees(node) -> list:
    """The child trees of a node (no tokens, newlines or comments)."""
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


# --- source text ---------------------------------------------------------------------------------

def traversal(expr, index=None) -> str | None:
    """The reference an expression is when it is a plain traversal (var.x, aws_s3_bucket.d["k"].arn), else None.

    index(key) may give an index that is an expression as a literal one (each.key as ["a"]), or None.
    """
    node = expr
    while isinstance(node, Tree) and node.data == "expr_term":  # parentheses too: (var.x) is var.x
        node = trees(node)[0]
    if isinstance(node, Tree) and node.data == "identifier":
        return str(node.children[0])
    if not isinstance(node, Tree) or node.data not in ("get_attr_expr_term", "index_expr_term"):
        return None
    base, step = trees(node)
    head = traversal(base, index)
    if head is None:
        return None
    if step.data == "braces_index":
        key = kids(step)[1]
        literal = key.children[0] if isinstance(key, Tree) and key.data == "expr_term" else None
        if not isinstance(literal, Tree) or literal.data not in ("int_lit", "string") or \
                any(isinstance(p.children[0], Tree) for p in trees(literal)):
            given = index(key) if index else None
            return None if given is None else head + given
    return head + text_of(step)


def text_of(expr) -> str:
    """The canonical Terraform source text of an expression (it parses back to the same tree)."""
    if isinstance(expr, Token):
        return str(expr).strip()
    return _TEXT.get(expr.data, _joined)(expr)


def _joined(node) -> str:
    return "".join(text_of(k) for k in kids(node))


def _expr_term_text(node) -> str:
    parts = kids(node)
    return f"({text_of(parts[1])})" if isinstance(parts[0], Token) and parts[0].type == "LPAR" else text_of(parts[0])


def _directive_text(node) -> str:
    parts = kids(node)
    left = "~" if len(parts) > 1 and getattr(parts[1], "type", "") == "STRIP_MARKER" else ""
    right = "~" if len(parts) > 1 and getattr(parts[-2], "type", "") == "STRIP_MARKER" else ""
    words = [text_of(k) for k in parts if getattr(k, "type", "") not in ("DIRECTIVE_START", "STRIP_MARKER", "RBRACE")]
    body = " ".join(words).replace(" , ", ", ")
    return "%{" + left + " " + body + " " + right + "}"


def _for_text(node) -> str:
    words = [text_of(k) for k in kids(node)]
    open_, close = words[0], words[-1]
    body = " ".join(words[1:-1]).replace(" ...", "...")
    return open_ + body + close


_TEXT = {
    "expr_term": _expr_term_text,
    "string": lambda n: "".join(text_of(k) if isinstance(k, Tree) else str(k) for k in n.children),
    "string_part": lambda n: str(n.children[0]) if isinstance(n.children[0], Token) else text_of(n.children[0]),
    "interpolation": lambda n: "${" + text_of(trees(n)[0]) + "}",
    "template_if_start": _directive_text, "template_else": _directive_text, "template_endif": _directive_text,
    "template_for_start": _directive_text, "template_endfor": _directive_text,
    "heredoc_template": lambda n: str(n.children[0]), "heredoc_template_trim": lambda n: str(n.children[0]),
    "template_string": lambda n: str(n.children[0]),
    "tuple": lambda n: "[" + ", ".join(text_of(t) for t in trees(n)) + "]",
    "object": lambda n: "{ " + ", ".join(text_of(t) for t in trees(n)) + " }" if trees(n) else "{}",
    "object_elem": lambda n: text_of(kids(n)[0]) + (" = " if kids(n)[1].type == "EQ" else ": ") + text_of(kids(n)[2]),
    "function_call": lambda n: "::".join(text_of(t) for t in trees(n) if t.data == "identifier") + "(" + "".join(
        text_of(t) for t in trees(n) if t.data == "arguments") + ")",
    "arguments": lambda n: ", ".join(text_of(t) for t in trees(n)) + (
        "..." if any(getattr(c, "type", "") == "ELLIPSIS" for c in n.children) else ""),
    "binary_op": lambda n: text_of(trees(n)[0]) + " " + text_of(trees(n)[1]),
    "binary_term": lambda n: " ".join(text_of(k) for k in kids(n)),
    "conditional": lambda n: " ? ".join(text_of(t) for t in trees(n)[:2]) + " : " + text_of(trees(n)[2]),
    "attr_splat": _joined, "full_splat": _joined,
    "for_tuple_expr": _for_text, "for_object_expr": _for_text,
    "for_intro": lambda n: " ".join(text_of(k) for k in kids(n)).replace(" ,", ",") ,
    "for_cond": lambda n: "if " + text_of(trees(n)[0]),
}
