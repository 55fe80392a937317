"""Terraform string templates: quoted strings and heredocs as items, ~ strip markers applied, directives nested.

https://developer.hashicorp.com/terraform/language/expressions/strings
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lark import Token, Tree

from ..formats import hcl
from .tree import EvaluationError, error_at, kids, parse_expression, trees

# --- templates: items ("lit", text) ("interp", node, l, r) ("if", node, l, r) ("else"/"endif"/"endfor", l, r)
#     ("for", key, value, node, l, r); l and r are the ~ strip markers --------------------------------------

def string_items(node) -> list:
    """A quoted string's template items, literals decoded."""
    items = []
    for part in trees(node):
        child = part.children[0]
        if isinstance(child, Token):  # $${ and %%{ stand for a literal ${ and %{
            text = str(child).replace("$${", "${").replace("%%{", "%{") if child.type.startswith("ESCAPED") else str(child)
            items.append(("lit", unescape(text, child)))
        else:
            items.append(_directive_item(child))
    return items


_ESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[nrt"\\]|.?)', re.S)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str, token) -> str:
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
    parts = kids(tree)
    left = len(parts) > 1 and isinstance(parts[1], Token) and parts[1].type == "STRIP_MARKER"
    right = len(parts) > 1 and isinstance(parts[-2], Token) and parts[-2].type == "STRIP_MARKER"
    exprs = [k for k in parts if isinstance(k, Tree) and k.data != "identifier"]
    if tree.data == "interpolation":
        return ("interp", exprs[0], left, right)
    if tree.data == "template_for_start":
        names = [str(k.children[0]) for k in parts if isinstance(k, Tree) and k.data == "identifier"]
        return ("for", names[0] if len(names) == 2 else None, names[-1], exprs[0], left, right)
    word = tree.data.replace("template_", "").replace("_start", "")
    return (word, exprs[0], left, right) if word == "if" else (word, left, right)


def heredoc_items(text: str, node) -> list:
    """A heredoc's template items: its body (indentation trimmed for <<-) with ${...} and %{...} parsed."""
    return list(_heredoc(text, getattr(node.children[0], "line", None) or 1))


@lru_cache(maxsize=256)  # parsed once, not at each evaluation (a for_each evaluates it per instance)
def _heredoc(text: str, first: int) -> tuple:
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
                raise EvaluationError("Unterminated template sequence in a heredoc", first)
            items += [("lit", unicodedata.normalize("NFC", "".join(literal)))]
            line = first + 1 + source.count("\n", 0, i)
            items.append(_heredoc_directive(source[i], source[i + 2:end], line))
            literal, i = [], end + 1
        else:
            literal.append(source[i])
            i += 1
    return tuple(items + [("lit", unicodedata.normalize("NFC", "".join(literal)))])


def _heredoc_directive(marker: str, inner: str, line: int) -> tuple:
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
        raise EvaluationError(f"Invalid template directive %{{{inner[:40]}}}", line)
    key, value = (match.group(1), match.group(2)) if match.group(2) else (None, match.group(1))
    return ("for", key, value, parse_expression(match.group(3), line), left, right)


def strip(items: list) -> list:
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


def nest(items: list, i: int, stop: tuple) -> tuple[list, int]:
    """Flat items as a sequence of lit, interp, ("if", node, then, else) and ("for", key, value, node, body)."""
    seq = []
    while i < len(items):
        item = items[i]
        if item[0] in stop:
            return seq, i
        if item[0] == "if":
            then, i = nest(items, i + 1, ("else", "endif"))
            other = []
            if i < len(items) and items[i][0] == "else":
                other, i = nest(items, i + 1, ("endif",))
            _expect(items, i, "endif")
            seq.append(("if", item[1], then, other))
        elif item[0] == "for":
            body, i = nest(items, i + 1, ("endfor",))
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
