"""Terraform files as bodies of attributes and blocks with file:line:column, from python-hcl2's Lark grammar or JSON.

No python-hcl2 transformer: its serializer keeps shared mutable state (wrong results under threads) and costs as much
as the parse. Attribute values stay expression trees (converter.terraform.evaluate reads them); JSON-syntax strings
are templates, parsed with the same grammar (https://developer.hashicorp.com/terraform/language/syntax/json).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import InputError, error
from ..sources import Source, while_held

# Bounds checked on the raw text before Lark: its LALR stack and every tree walk grow with nesting; big files cost
# about 100 bytes of memory per byte of text once parsed.
MAX_DEPTH = 100
MAX_HCL_BYTES = 4 * 1024 * 1024
_BRACKETS = re.compile(r"[\[\]{}()]")


@dataclass(frozen=True)
class Attribute:
    """name = expression, where it is written; expr is a Lark tree (HCL) or a Json value (JSON syntax)."""

    name: str
    expr: Any
    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Block:
    """type "label" ... { body }, where it is written."""

    type: str
    labels: tuple
    body: "Body"
    file: str
    line: int


@dataclass(frozen=True)
class Body:
    """Attributes by name and blocks in order."""

    attributes: dict  # name -> Attribute (read only)
    blocks: tuple

    def named(self, kind: str) -> list[Block]:
        """The blocks of one type."""
        return [b for b in self.blocks if b.type == kind]


@dataclass(frozen=True)
class Json:
    """A value in Terraform's JSON syntax: strings are templates, parsed when evaluated (see template())."""

    value: Any
    file: str
    line: int = 0


# --- meta-arguments (provider, depends_on, lifecycle) in one shape from either syntax, for the writers (issue 16) ---

def meta_block(body: Body) -> dict:
    """A meta-argument block (lifecycle, precondition) as a dict: attributes by name, nested blocks as lists."""
    out = {name: meta_argument(attribute.expr, name) for name, attribute in body.attributes.items()}
    for block in body.blocks:
        out.setdefault(block.type, []).append(meta_block(block.body))
    return out


def meta_argument(expr, name: str):
    """A meta-argument as the writer takes it back: expression text, lists of them, booleans; blocks as lists of dicts."""
    from .tree import text_of, trees

    if isinstance(expr, Json):  # JSON syntax: strings are "${...}" templates, a block is an object
        return _bare({name: expr.value})[name]
    node = expr
    while getattr(node, "data", None) == "expr_term" and len(trees(node)) == 1 and len(node.children) == 1:
        node = trees(node)[0]
    if getattr(node, "data", None) == "tuple":
        return [meta_argument(item, name) for item in trees(node)]
    text = text_of(expr)
    return {"true": True, "false": False}.get(text, text)


def _bare(value: Any) -> Any:
    """A JSON-syntax value as the HCL reading gives it: "${x}" as x, a single block object as a list of one."""
    from ..formats.hcl import _closing

    if isinstance(value, str) and value.startswith("${") and _closing(value, 2) == len(value) - 1:
        return value[2:-1]
    if isinstance(value, dict):
        return {k: [_bare(v)] if k in _META_BLOCKS and isinstance(v, dict) else _bare(v) for k, v in value.items()}
    return [_bare(v) for v in value] if isinstance(value, list) else value


_META_BLOCKS = {"lifecycle", "precondition", "postcondition"}  # JSON syntax writes one such block as an object


def parse(source: Source) -> Body:
    """The top-level body of a .tf or .tf.json file (HCL never opens with '{': that is the JSON syntax)."""
    if source.text.lstrip().startswith("{"):
        return _parse_json(source)
    return _parse_hcl(source)


@while_held  # bodies are never changed
def _parse_hcl(source: Source) -> Body:
    from lark.exceptions import UnexpectedInput

    if len(source.text) > MAX_HCL_BYTES:
        raise InputError(error("too-large", f"the HCL file is larger than {MAX_HCL_BYTES // 1048576} MiB", file=source.name,
                               hint="split it into several .tf files"))
    check_depth(source.text, source.name)
    try:
        tree = parser().parse(source.text + "\n")  # the grammar needs a newline at the end, as hcl2.loads adds
    except UnexpectedInput as exc:
        raise InputError(error("syntax", f"HCL: unexpected {str(getattr(exc, 'token', '') or 'input')[:30]!r}",
                               file=source.name, line=exc.line, column=exc.column)) from None
    except RecursionError:
        raise InputError(error("too-deep", "HCL nesting is too deep", file=source.name)) from None
    return _body(tree.children[0], source.name)


def cache_clear() -> None:
    """Forget parsed files and templates (for benchmarks, which measure the parse)."""
    for cached in (_parse_hcl, template, expression):
        cached.cache_clear()


def check_depth(text: str, name: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH: brackets counted first, strings and comments skipped only if needed."""
    depth = peak = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "[{(" else max(depth - 1, 0)
        peak = max(peak, depth)
    if peak <= MAX_DEPTH:
        return
    depth, line = _code_depth(text)
    if depth > MAX_DEPTH:
        raise InputError(error("too-deep", f"HCL nesting is deeper than {MAX_DEPTH} levels", file=name, line=line,
                               hint="flatten the expression"))


def _code_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of brackets and ${ outside string literals and comments, and its line."""
    tokens = re.compile(r'#[^\n]*|//[^\n]*|/\*.*?\*/|"|\\.|\$\{|%\{|[\[\]{}()]', re.S)
    stack, peak, where = [], 0, 0
    for match in tokens.finditer(text):
        token, quoted = match.group(), bool(stack) and stack[-1] == '"'
        if quoted:
            if token == '"':
                stack.pop()
            elif token in ("${", "%{"):
                stack.append("{")
        elif token[0] in "#/" and len(token) > 1 or token == "#":
            continue
        elif token == '"':
            stack.append('"')
        elif token in ("[", "{", "(", "${", "%{"):
            stack.append("{")
        elif token in ("]", "}", ")") and stack:
            stack.pop()
        if len(stack) > peak:
            peak, where = len(stack), match.start()
            if peak > MAX_DEPTH:
                break
    return peak, text.count("\n", 0, where) + 1


_LOCK = threading.Lock()


def parser():
    """python-hcl2's grammar and lexer (LALR), without source positions on rules: tokens still have line:column."""
    with _LOCK:  # built once; lru_cache alone may build it twice under threads
        return _build()


@lru_cache(maxsize=1)
def _build():
    import os

    import hcl2.parser
    from hcl2.postlexer import PostLexer
    from lark import Lark

    # Lark pickles the built parser (about 1.4 s to build); a private folder, not the shared temporary one where
    # cache=True would put it and where anyone could plant a pickle. Lark rebuilds it when the grammar changes.
    folder = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "s3repl")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        cache = os.path.join(folder, "hcl2-parser.pickle")
    except OSError:
        cache = False
    return Lark.open("hcl2.lark", rel_to=hcl2.parser.__file__, parser="lalr", propagate_positions=False,
                     postlex=PostLexer(), cache=cache)


def _name(node) -> tuple[str, int, int]:
    """An attribute or block name (identifier, keyword or literal word) and its position."""
    token = node.children[0] if hasattr(node, "children") else node
    return str(token), token.line, token.column


def _body(tree, file: str) -> Body:
    attributes, blocks = {}, []
    for child in tree.children:
        if child.data == "attribute":
            name, line, column = _name(child.children[0])
            if name in attributes:
                first = attributes[name]
                raise InputError(error("duplicate", f"the argument {name!r} is set twice (first at line {first.line})",
                                       file=file, line=line, column=column, hint="remove one of them"))
            expr = child.children[2]
            check_keys(expr, file)
            attributes[name] = Attribute(name, expr, file, line, column)
        elif child.data == "block":
            kind, line, _ = _name(child.children[0])
            labels = tuple(label_text(c) for c in child.children[1:] if getattr(c, "data", None) in (
                "string", "identifier", "keyword", "literal_value"))
            inner = next(c for c in child.children if getattr(c, "data", None) == "body")
            blocks.append(Block(kind, labels, _body(inner, file), file, line))
    return Body(attributes, tuple(blocks))


def label_text(node) -> str:
    """A block label: a quoted string's text (escapes decoded) or a bare word."""
    from ..formats.hcl import _unescape

    if node.data != "string":
        return str(node.children[0])
    return _unescape("".join(str(part.children[0]) for part in node.children[1:-1]))


def check_keys(expr, file: str) -> None:
    """Refuse an object constructor that names a literal key twice, with both places."""
    stack = [expr]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if children is None:
            continue
        if node.data == "object":
            seen: dict = {}
            for elem in (c for c in children if getattr(c, "data", None) == "object_elem"):
                key = _literal_key(elem.children[0])
                if key is not None:
                    token = _first_token(elem)
                    if key in seen:
                        raise InputError(error("duplicate", f"the object key {key!r} is given twice (first at line "
                                               f"{seen[key]})", file=file, line=token.line, column=token.column,
                                               hint="remove one of them"))
                    seen[key] = token.line
        stack.extend(children)


def _literal_key(node) -> str | None:
    """The text of an object key that is a bare word or a string without interpolation; None for expressions."""
    while getattr(node, "data", None) in ("object_elem_key", "expr_term") and len(node.children) == 1:
        node = node.children[0]
    data = getattr(node, "data", None)
    if data in ("identifier", "keyword"):
        return str(node.children[0])
    if data == "string" and all(getattr(p.children[0], "type", "") == "STRING_CHARS" for p in node.children[1:-1]):
        return label_text(node)
    return None


def _first_token(node):
    while hasattr(node, "children"):
        node = node.children[0]
    return node


# --- JSON syntax -------------------------------------------------------------------------------------

def _parse_json(source: Source) -> Body:
    from ..sources import load_json

    data = load_json(source.text, source.name)
    if not isinstance(data, dict):
        raise InputError(error("input", "expected a Terraform JSON object", file=source.name))
    return json_body(data, source.name, nested=True)


# Blocks whose labels nest as objects in JSON syntax: resource "type" "name" is {"resource": {"type": {"name": {}}}}.
LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1, "locals": 0,
          "terraform": 0, "moved": 0, "import": 0, "check": 1, "removed": 0}


def json_body(data: dict, file: str, nested: bool = False, blocks: frozenset | None = None) -> Body:
    """A JSON object as a body; at the top level, the known block types; below, objects that are blocks.

    Without the provider's schema an object is a block unless its name is in `attributes` (maps such as tags).
    """
    attributes, found = {}, []
    for key, value in data.items():
        if nested:
            if key not in LABELS:
                continue
            for body, labels in _labelled(value, LABELS[key]):
                if key == "locals":
                    found.append(Block(key, (), Body({k: Attribute(k, Json(v, file), file, 0, 0)
                                                      for k, v in body.items()}, ()), file, 0))
                else:
                    inner = json_body(body, file, blocks=_BLOCKS.get(key)) if isinstance(body, dict) else Body({}, ())
                    found.append(Block(key, labels, inner, file, 0))
        elif _is_block(key, value, blocks):
            for item in (value if isinstance(value, list) else [value]):
                if key == "dynamic":
                    for label, spec in item.items():
                        for one in (spec if isinstance(spec, list) else [spec]):
                            found.append(Block(key, (label,), json_body(one, file, blocks=frozenset({"content"})),
                                               file, 0))
                else:
                    found.append(Block(key, (), json_body(item, file), file, 0))
        else:
            attributes[key] = Attribute(key, Json(value, file), file, 0, 0)
    return Body(attributes, tuple(found))


# Inside these blocks, only these keys are blocks (the rest are arguments whose value may be an object).
_BLOCKS = {"variable": frozenset({"validation"}), "module": frozenset(), "output": frozenset(),
           "provider": frozenset(), "terraform": frozenset({"backend", "required_providers", "cloud"})}
_ATTRIBUTE_MAPS = {"tags", "tags_all", "count", "for_each", "depends_on", "lifecycle_ignore", "provider"}


def _is_block(key: str, value: Any, blocks: frozenset | None) -> bool:
    if blocks is not None:
        return key in blocks and isinstance(value, (dict, list))
    if key in _ATTRIBUTE_MAPS:
        return False
    return isinstance(value, dict) or (isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value))


def _labelled(value: Any, depth: int):
    """(body, labels) for each block under `depth` levels of label objects; a list stands for repeated blocks."""
    if depth == 0:
        for item in (value if isinstance(value, list) else [value]):
            if isinstance(item, dict):
                yield item, ()
        return
    if isinstance(value, list):
        for item in value:
            yield from _labelled(item, depth)
        return
    if isinstance(value, dict):
        for label, inner in value.items():
            for body, labels in _labelled(inner, depth - 1):
                yield body, (label, *labels)


@lru_cache(maxsize=4096)
def template(text: str):
    """A JSON-syntax string as an HCL template expression tree (its ${...} and %{...} as in a quoted string)."""
    from lark.exceptions import UnexpectedInput

    quoted = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
              .replace("\t", "\\t"))
    # $${ and %%{ are literal ${ and %{; python-hcl2's grammar wants a } after them, \u0024{ and \u0025{ do not.
    quoted = quoted.replace("$${", "\\u0024{").replace("%%{", "\\u0025{")
    try:
        tree = parser().parse(f"x = \"{quoted}\"\n")
    except UnexpectedInput as exc:
        raise ValueError(f"not a valid template: {str(getattr(exc, 'token', '') or 'input')[:30]!r}") from None
    return tree.children[0].children[0].children[2]


@lru_cache(maxsize=4096)
def expression(text: str):
    """An HCL expression tree from its text (a JSON-syntax `count`, a --var value of a list or map variable)."""
    from lark.exceptions import UnexpectedInput

    try:
        tree = parser().parse(f"x = {text}\n")
    except UnexpectedInput as exc:
        raise ValueError(f"not a valid expression: unexpected {str(getattr(exc, 'token', '') or 'input')[:30]!r}") from None
    body = tree.children[0]
    attributes = [c for c in body.children if c.data == "attribute"]
    if len(attributes) != 1 or len(body.children) > 2:
        raise ValueError("not a single expression")
    return attributes[0].children[2]
