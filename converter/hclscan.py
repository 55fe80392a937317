"""Where HCL blocks and attributes are, as character spans of the original text, for edits that keep every other byte.

python-hcl2 gives values, not positions; this scanner knows just enough HCL to find block and attribute
boundaries: quoted templates with nested ${...}, heredocs, the three comment forms, and brackets.
https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import InputError, error

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_OPEN, _CLOSE = "{[(", "}])"


@dataclass
class Attribute:
    """name = value; value is the expression's exact text."""

    name: str
    start: int
    end: int
    value: str


@dataclass
class Block:
    """A block: its type, labels (unquoted), span [start, end) from the type's first character to after the }."""

    type: str
    labels: list[str]
    start: int
    end: int
    blocks: list["Block"] = field(default_factory=list)
    attributes: dict[str, Attribute] = field(default_factory=dict)
    commented: bool = False  # a comment inside: an edit that drops the block drops it too


def _fail(text: str, name: str, at: int, message: str) -> InputError:
    line = text.count("\n", 0, at) + 1
    return InputError(error("syntax", f"HCL: {message}", file=name, line=line, column=at - text.rfind("\n", 0, at)))


def _string_end(text: str, i: int, name: str) -> int:
    """The index after the closing quote of the quoted template opening at i."""
    i += 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
        elif char == '"':
            return i + 1
        elif char == "\n":
            break
        elif text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            i = _interpolation_end(text, i + 2, name)
        else:
            i += 1
    raise _fail(text, name, i, "unterminated string")


def _interpolation_end(text: str, i: int, name: str) -> int:
    """The index after the } closing an interpolation whose expression starts at i."""
    depth = 0
    for kind, start, end in tokens(text, name, i):
        if kind in _OPEN:
            depth += 1
        elif kind in _CLOSE:
            if depth == 0:
                return end
            depth -= 1
    raise _fail(text, name, i, "unterminated interpolation")


def tokens(text: str, name: str, i: int = 0):
    """(kind, start, end) from i: ident, string, heredoc, comment, newline, one bracket, or other."""
    n = len(text)
    while i < n:
        char = text[i]
        if char in " \t\r\ufeff":
            i += 1
            continue
        start = i
        if char == "\n":
            kind, i = "newline", i + 1
        elif char == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            kind, i = "comment", n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise _fail(text, name, i, "unterminated comment")
            kind, i = "comment", end + 2
        elif char == '"':
            kind, i = "string", _string_end(text, i, name)
        elif (heredoc := _HEREDOC.match(text, i)) is not None:
            indent = r"[ \t]*" if heredoc.group(1) else ""
            close = re.compile(rf"^{indent}{re.escape(heredoc.group(2))}[ \t]*\r?$", re.M).search(text, heredoc.end())
            if close is None:
                raise _fail(text, name, i, f"heredoc {heredoc.group(2)} never ends")
            kind, i = "heredoc", close.end()
        elif (ident := _IDENT.match(text, i)) is not None:
            kind, i = "ident", ident.end()
        elif char in _OPEN or char in _CLOSE or char == "=" and not text.startswith(("==", "=>"), i):
            kind, i = char, i + 1
        else:
            kind, i = "other", i + (2 if text.startswith(("==", "=>", "!=", "<=", ">="), i) else 1)
        yield kind, start, i


def blocks(text: str, name: str) -> list[Block]:
    """The top-level blocks of an HCL file, with their nested blocks and attributes."""
    stream = list(tokens(text, name))
    found, k = _body(text, name, stream, 0, top=True)
    return found.blocks


def _body(text: str, name: str, stream: list, k: int, top: bool) -> tuple[Block, int]:
    body = Block("", [], 0, 0)
    while k < len(stream):
        kind, start, end = stream[k]
        if kind == "newline":
            k += 1
        elif kind == "comment":
            body.commented, k = True, k + 1
        elif kind == "}" and not top:
            return body, k
        elif kind == "ident":
            j = k + 1
            while j < len(stream) and stream[j][0] in ("ident", "string"):
                j += 1
            follow = stream[j][0] if j < len(stream) else "end"
            if follow == "=" and j == k + 1:
                k = _attribute(text, name, stream, k, body)
            elif follow == "{":
                labels = [text[s:e].strip('"') for _, s, e in stream[k + 1:j]]
                inner, close = _body(text, name, stream, j + 1, top=False)
                if close >= len(stream):
                    raise _fail(text, name, start, f"block {text[start:end]} is not closed")
                inner.type, inner.labels, inner.start, inner.end = text[start:end], labels, start, stream[close][2]
                body.blocks.append(inner)
                k = close + 1
            else:
                raise _fail(text, name, stream[j][1] if j < len(stream) else len(text), "expected = or {")
        else:
            raise _fail(text, name, start, f"unexpected {text[start:end][:20]!r}")
    if not top:
        raise _fail(text, name, len(text), "a block is not closed")
    return body, k


def _attribute(text: str, name: str, stream: list, k: int, body: Block) -> int:
    """Records name = expression; the expression ends at a newline or a } outside brackets."""
    depth, j = 0, k + 2
    while j < len(stream):
        kind = stream[j][0]
        if kind in _OPEN:
            depth += 1
        elif kind in _CLOSE:
            if depth == 0:
                break
            depth -= 1
        elif kind == "newline" and depth == 0:
            break
        elif kind == "comment" and depth == 0:
            body.commented = True
            break
        j += 1
    values = [t for t in stream[k + 2:j] if t[0] not in ("newline", "comment")]
    start, end = (values[0][1], values[-1][2]) if values else (stream[k][1], stream[k][1])
    label = text[stream[k][1]:stream[k][2]]
    body.attributes[label] = Attribute(label, stream[k][1], end, text[start:end])
    return j


def line_of(text: str, at: int) -> int:
    """The 1-based line of a character index."""
    return text.count("\n", 0, at) + 1
