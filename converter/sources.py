"""Reading input safely: files, directories and stdin, size caps, encodings, YAML, and source locations."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from .errors import InputError, error

# S3 caps one configuration at 2 MB; templates and Terraform directories can be larger.
MAX_INPUT_BYTES = 20 * 1024 * 1024
# A YAML document may share nodes through aliases; walking it may not visit more than this many.
MAX_NODES = 2_000_000


@dataclass(frozen=True)
class Source:
    """One input document: its name for messages and its text."""

    name: str
    text: str


def decode(data: bytes, name: str) -> str:
    """Text from bytes: UTF-8 with or without a BOM; anything else is refused with a clear message."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(error("encoding", "the file is UTF-16; s3repl reads UTF-8", file=name,
                               hint=f"convert it first: iconv -f UTF-16 -t UTF-8 {name} > converted"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(error("encoding", f"invalid UTF-8 (byte 0x{data[exc.start]:02x})", file=name,
                               line=line, column=column, hint="save the file as UTF-8")) from None


def load(path: str, max_bytes: int = MAX_INPUT_BYTES) -> list[Source]:
    """The documents named by a command-line INPUT: a file, '-' for stdin, or a directory's files."""
    if path == "-":
        return [Source("<stdin>", decode(_capped(sys.stdin.buffer, "<stdin>", max_bytes), "<stdin>"))]
    target = Path(path)
    if target.is_dir():
        from .formats import known_extension

        files = sorted(p for p in target.iterdir() if p.is_file() and known_extension(p.name))
        if not files:
            raise InputError(error("empty-directory", "no file with a known extension in the directory", file=path))
        return [source for file in files for source in load(str(file), max_bytes)]
    try:
        with target.open("rb") as handle:
            data = _capped(handle, path, max_bytes)
    except OSError as exc:
        raise InputError(error("unreadable", exc.strerror or str(exc), file=path,
                               hint="check the path; use - to read standard input")) from None
    return [Source(path, decode(data, path))]


def _capped(handle, name: str, max_bytes: int) -> bytes:
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(error("too-large", f"input is larger than {max_bytes:,} bytes", file=name,
                               hint="raise the limit with --max-bytes if the file is genuine"))
    return data


def load_yaml(text: str, name: str, loader=None, local_tag=None) -> Any:
    """YAML with the safe loader (C-accelerated when libyaml is there); errors carry line and column.

    local_tag(suffix, value) reads a tag such as !Ref on the fast path, or raises ValueError to leave the document to
    loader, the PyYAML loader that reads the same tags.
    """
    import yaml

    loader = loader or getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if hasattr(yaml, "CSafeLoader"):
        try:
            return _events_to_data(text, local_tag)
        except (ValueError, yaml.YAMLError):
            pass  # PyYAML's own loader below gives the same data, or the error with its line and column
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(error("syntax", f"YAML: {exc.problem or exc.context}", file=name,
                               line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None)) from None
    except yaml.YAMLError as exc:
        raise InputError(error("syntax", f"YAML: {exc}", file=name)) from None
    except RecursionError:
        raise InputError(error("too-deep", "YAML nesting is too deep", file=name)) from None
    check_size(data, name)
    return data


class _Unusual(ValueError):
    """The document uses what only PyYAML's full loader handles (anchors, merge keys, rare tags...)."""


def _events_to_data(text: str, local_tag) -> Any:
    """The data PyYAML's safe loader gives, built straight from libyaml's events (3-4x faster on big templates).

    PyYAML composes a node graph, resolving every scalar in Python, then constructs the data from it; most of a
    big template's load time goes there. This builds the data in one pass for the common subset of YAML and raises
    _Unusual for the rest (anchors and aliases, merge keys, explicit tags but !!str, several documents, deep
    nesting), which the caller then gives to PyYAML. tests/test_sources.py checks both paths give equal data.
    """
    import yaml
    from yaml.events import AliasEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent

    loader = yaml.CSafeLoader(text)  # libyaml's parser, and PyYAML's resolver and constructors for plain scalars
    implicit = loader.yaml_implicit_resolvers  # first character (None: any) -> resolvers that may apply
    every = None in implicit
    plain_str = "tag:yaml.org,2002:str"
    stack: list[list] = []  # [container, tag, key] per open collection; key is _NO_KEY until a mapping key is read
    root, documents, nodes = _NO_KEY, 0, 0

    def scalar(event):
        tag, value = event.tag, event.value
        if tag is None and event.implicit[0] and (every or value[:1] in implicit):
            tag = loader.resolve(yaml.ScalarNode, value, (True, False))
            if tag == plain_str:
                return value
            construct = loader.yaml_constructors.get(tag)
            if construct is None or tag == "tag:yaml.org,2002:merge":
                raise _Unusual(tag)
            return construct(loader, yaml.ScalarNode(tag, value))
        if tag is None or tag in ("!", plain_str):
            return value
        return tagged(tag, value)

    def tagged(tag, value):
        if local_tag is None or tag.startswith("!!") or not tag.startswith("!"):
            raise _Unusual(tag)
        return local_tag(tag[1:], value)

    try:
        while loader.check_event():
            event = loader.get_event()
            kind = type(event)
            if kind is ScalarEvent:
                if event.anchor is not None:
                    raise _Unusual("anchor")
                value = scalar(event)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None or len(stack) > 100:
                    raise _Unusual("anchor or depth")
                mapping = kind is MappingStartEvent
                plain = (None, "!", "tag:yaml.org,2002:map" if mapping else "tag:yaml.org,2002:seq")
                stack.append([{} if mapping else [], None if event.tag in plain else event.tag, _NO_KEY])
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                value, tag, _ = stack.pop()
                if tag is not None:
                    value = tagged(tag, value)
            elif kind is AliasEvent:
                raise _Unusual("alias")
            else:
                documents += kind is DocumentStartEvent
                if documents > 1:
                    raise _Unusual("several documents")
                continue
            nodes += 1
            if nodes > MAX_NODES:
                raise _Unusual("size")
            if not stack:
                root = value
                continue
            top = stack[-1]
            if isinstance(top[0], list):
                top[0].append(value)
            elif top[2] is _NO_KEY:
                if isinstance(value, (dict, list)):
                    raise _Unusual("collection as key")
                top[2] = value
            else:
                top[0][top[2]] = value
                top[2] = _NO_KEY
    finally:
        loader.dispose()
    if root is _NO_KEY:
        raise _Unusual("empty")
    return root


_NO_KEY = object()


def check_size(data: Any, name: str) -> None:
    """Refuse a document whose aliases expand past MAX_NODES nodes (a 'billion laughs' bomb)."""
    budget, stack = MAX_NODES, [data]
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            raise InputError(error("too-large", f"the document expands to more than {MAX_NODES:,} values "
                                   "(YAML aliases repeat shared nodes)", file=name))
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def load_json(text: str, name: str) -> Any:
    """JSON; errors carry line and column."""
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(error("syntax", f"JSON: {exc.msg}", file=name, line=exc.lineno, column=exc.colno)) from None
    except RecursionError:
        raise InputError(error("too-deep", "JSON nesting is too deep", file=name)) from None
    check_size(data, name)
    return data


def locate(text: str, pointer: tuple) -> tuple[int, int] | None:
    """Line and column (1-based) of a member in a JSON or YAML text; None when it cannot be found."""
    return source_map(text)(pointer)


@lru_cache(maxsize=4)  # one map serves every finding in a document (100 findings: one parse, not 100)
def source_map(text: str) -> Callable[[tuple], tuple[int, int] | None]:
    """A function from a member's pointer to its line and column in a JSON or YAML text (None: not found)."""
    if text.lstrip().startswith(("{", "[")) and not any(c in text for c in "\r\x85\u2028\u2029"):
        return _JsonMap(text).where  # 40x faster than composing YAML nodes; YAML's line breaks are only \n here
    return _yaml_map(text)


def _yaml_map(text: str) -> Callable[[tuple], tuple[int, int] | None]:
    import yaml

    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return lambda pointer: None

    def where(pointer: tuple) -> tuple[int, int] | None:
        node = root
        mark = node.start_mark if node is not None else None
        for part in pointer:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == part), None)
                if match is None:
                    break
                mark, node = match[0].start_mark, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                mark = node.start_mark
            else:
                break
        return (mark.line + 1, mark.column + 1) if mark else None

    return where


class _JsonMap:
    """Where members are in a JSON text, found as the YAML map finds them: each object or array is scanned once
    (values skipped by the C decoder) the first time a pointer goes through it. Not JSON: the YAML map answers."""

    def __init__(self, text: str):
        import json
        import re

        self.text, self.decoder, self.space = text, json.JSONDecoder(), re.compile(r"[ \t\n\r]*")
        self.members: dict[int, dict | list] = {}  # offset of { or [ -> key -> (key offset, value offset) or offsets
        self.lines: list[int] | None = None

    def where(self, pointer: tuple) -> tuple[int, int] | None:
        try:
            offset = self._find(pointer)
        except (ValueError, IndexError, RecursionError):
            return _yaml_map(self.text)(pointer)
        if offset is None:
            return None
        if self.lines is None:
            import re

            self.lines = [m.start() for m in re.finditer("\n", self.text)]
        from bisect import bisect_left

        line = bisect_left(self.lines, offset)
        return line + 1, offset - (self.lines[line - 1] + 1 if line else 0) + 1

    def _find(self, pointer: tuple) -> int | None:
        at = self.space.match(self.text).end()
        if at >= len(self.text):
            return None
        mark = at
        for part in pointer:
            members = self._members(at)
            if isinstance(members, dict) and isinstance(part, str) and part in members:
                mark, at = members[part]
            elif isinstance(members, list) and isinstance(part, int) and part < len(members):
                mark = at = members[part]
            else:
                break
        return mark

    def _members(self, at: int) -> dict | list | None:
        """An object's keys (the first of duplicates, as YAML's map) or an array's item offsets; None for a scalar."""
        from json.decoder import scanstring

        if at in self.members:
            return self.members[at]
        text, opening, start = self.text, self.text[at], at
        if opening not in "{[":
            return None
        found: dict | list = {} if opening == "{" else []
        at = self.space.match(text, at + 1).end()
        while text[at] not in "}]":
            if opening == "{":
                if text[at] != '"':
                    raise ValueError("not JSON")
                key, end = scanstring(text, at + 1)
                colon = self.space.match(text, end).end()
                if text[colon] != ":":
                    raise ValueError("not JSON")
                value_at = self.space.match(text, colon + 1).end()
                found.setdefault(key, (at, value_at))
                at = value_at
            else:
                found.append(at)
            at = self.space.match(text, self.decoder.raw_decode(text, at)[1]).end()
            if text[at] == ",":
                at = self.space.match(text, at + 1).end()
        self.members[start] = found
        return found


def with_locations(exc: InputError, text: str, name: str, locator=locate) -> InputError:
    """The error with file, line and column added to every diagnostic that has a pointer."""
    out = []
    for diag in exc.diagnostics:
        where = locator(text, diag.pointer) if diag.pointer is not None else None
        out.append(diag.at(file=name, line=where[0], column=where[1]) if where else diag.at(file=name))
    return InputError(sorted(out, key=lambda d: (d.line or 0, d.column or 0)))
