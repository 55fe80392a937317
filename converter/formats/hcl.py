"""HCL values: template strings to and from references, escaping, and a writer in `terraform fmt` layout.

python-hcl2 parses; this module turns its strings into literals and references, and writes HCL
directly, because hcl2.dumps is slow on large configurations and does not align as `terraform fmt`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Union

from ..values import Ref, Value, template

# https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*\Z")
_REFERENCE = re.compile(r"^(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\Z|^((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)"
                        r"\.([A-Za-z_][A-Za-z0-9_]*)\Z")


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            marker = text[i + 1]
            if marker in _ESCAPES:
                out.append(_ESCAPES[marker])
                i += 2
                continue
            width = {"u": 4, "U": 8}.get(marker)
            if width and re.fullmatch(r"[0-9A-Fa-f]{%d}" % width, text[i + 2:i + 2 + width]):
                out.append(chr(int(text[i + 2:i + 2 + width], 16)))
                i += 2 + width
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _closing(text: str, start: int) -> int:
    """The index of the } closing an interpolation whose body starts at start (strings inside skipped)."""
    depth, i, quoted = 1, start, False
    while i < len(text):
        char = text[i]
        if quoted:
            if char == "\\":
                i += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def parse_template(text: str, escaped: bool, expression) -> Value:
    """A template string's value: literal parts (HCL escapes decoded when escaped) and ${...} references.

    A %{...} directive makes the whole string one opaque expression.
    """
    parts, literal, i = [], [], 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            literal.append(text[i + 1:i + 3])
            i += 3
        elif text.startswith(("${", "%{"), i):
            end = _closing(text, i + 2)
            if end < 0 or text[i] == "%":
                source = '"' + text + '"' if escaped else json.dumps(text)
                return Ref(kind="expression", language="terraform", text=source)
            chunk = "".join(literal)
            parts += [_literal(chunk, escaped), expression(text[i + 2:end].strip())]
            literal, i = [], end + 1
        else:
            literal.append(text[i])
            i += 1
    parts.append(_literal("".join(literal), escaped))
    return template(parts)


def _literal(chunk: str, escaped: bool) -> str:
    """A literal part; the native syntax decodes escapes and, as HashiCorp's parser does, normalizes to NFC."""
    return unicodedata.normalize("NFC", _unescape(chunk)) if escaped else chunk


def reference(expression: str, known) -> Ref:
    """A Terraform expression as a reference: var.x, local.x, TYPE.NAME.ATTR, data...; else opaque."""
    match = _REFERENCE.match(expression)
    if not match:
        return Ref(kind="expression", language="terraform", text=expression)
    if match.group(1):
        kind = "variable" if match.group(1) == "var" else "local"
        return Ref(kind=kind, target=expression, default=known(expression))
    address, attribute = match.group(3), match.group(4)
    kind = address.split(".")[-2] if address.startswith("data.") else address.split(".")[0]
    return Ref(kind="resource", target=address, attribute=attribute, resource_type=kind,
               default=known(f"{address}.{attribute}"))


# --- writing ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Expr:
    """An HCL expression written as it is (a reference, a function call)."""

    text: str


Scalar = Union[str, int, bool, Expr, Ref]


def escape(text: str) -> str:
    """A literal as the inside of an HCL quoted string: escapes, and $${ / %%{ for template markers."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    out = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", out)
    # $${ and %%{ are the escapes for a literal ${ and %{, but python-hcl2 cannot read them when no } follows:
    # \u0024{ and \u0025{ read the same in HCL.
    out = re.sub(r"([$%])\{(?![^}]*\})", lambda m: f"\\u{ord(m.group(1)):04x}{{", out)
    return out.replace("${", "$${").replace("%{", "%%{")


def template_text(value: Value, expression) -> str:
    """The inside of a quoted string for a literal or a template (references as ${...})."""
    if isinstance(value, str):
        return escape(value)
    parts = value.parts if value.kind == "template" else (value,)
    return "".join(escape(p) if isinstance(p, str) else "${" + expression(p) + "}" for p in parts)


def key_text(key: str | Expr) -> str:
    """A map key: bare when it is an identifier or an expression (parenthesized), quoted otherwise."""
    if isinstance(key, Expr):
        return key.text
    return key if _IDENT.match(key) else f'"{escape(key)}"'


def render(body: list, expression, indent: int = 0) -> list[str]:
    """HCL lines for a body of (name, value) items; values are scalars, dicts (maps) or Block."""
    lines, pad, run = [], " " * indent, []

    def flush():
        width = max((len(k) for k, _ in run), default=0)
        lines.extend(f"{pad}{k.ljust(width)} = {v}" for k, v in run)
        run.clear()

    for name, value in body:
        if isinstance(value, Block):
            flush()
            if lines and value.spaced:
                lines.append("")
            lines += [f"{pad}# {line}" if line else f"{pad}#" for line in value.comment.splitlines()]
            labels = "".join(f' "{escape(label)}"' for label in value.labels)
            inner = render(value.body, expression, indent + 2)
            lines += [f"{pad}{name}{labels} {{", *inner, f"{pad}}}"] if inner else [f"{pad}{name}{labels} {{}}"]
        elif isinstance(value, dict):
            flush()
            width = max((len(key_text(k)) for k in value), default=0)
            entries = [f"{pad}  {key_text(k).ljust(width)} = {scalar(v, expression)}" for k, v in value.items()]
            lines += [f"{pad}{name} = {{", *entries, f"{pad}}}"] if entries else [f"{pad}{name} = {{}}"]
        else:
            run.append((name, scalar(value, expression)))
    flush()
    return lines


def scalar(value: Scalar, expression) -> str:
    """One HCL value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, Ref) and value.kind != "template":
        return expression(value)
    return '"' + template_text(value, expression) + '"'


@dataclass
class Block:
    """A block: labels and a body of (name, value) items; spaced puts a blank line before it, comment lines above it."""

    body: list
    labels: tuple = ()
    spaced: bool = False
    comment: str = ""
