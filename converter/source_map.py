"""Where a member of a JSON or YAML text is: one composed node graph per text, shared by every finding."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from .errors import InputError, error

_FAILED = object()  # the text does not compose


@lru_cache(maxsize=2)
def _composed(text: str):
    """The YAML node graph of a text, composed once for every finding that asks where it is (was once per finding)."""
    import yaml

    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return _FAILED


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
    """Where members are, from the text's composed YAML node graph."""

    def where(pointer: tuple) -> tuple[int, int] | None:
        _, mark = _node_at(text, pointer)
        return (mark.line + 1, mark.column + 1) if mark else None

    return where


def plain_scalar(text: str, pointer: tuple) -> str | None:
    """The source text of an unquoted YAML scalar (017, 1.50, yes), or None when the member is not one."""
    import yaml

    node, _ = _node_at(text, pointer, exact=True)
    return node.value if isinstance(node, yaml.ScalarNode) and not node.style and node.tag != "!" else None


def _node_at(text: str, pointer: tuple, exact: bool = False):
    """The node of a member and where it starts (its key's mark in a mapping); with exact, (None, None) when the
    member is missing instead of its closest enclosing node."""
    import yaml

    node = _composed(text)
    if node is _FAILED:
        return None, None
    mark = node.start_mark if node is not None else None
    for part in pointer:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                return (None, None) if exact else (node, mark)
            mark, node = match[0].start_mark, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            mark = node.start_mark
        elif isinstance(part, str) and part.startswith("Fn::") and node.tag == f"!{part[4:]}":
            continue  # a CloudFormation short-form tag (!If [...]) holds the arguments the long form keys by name
        else:
            return (None, None) if exact else (node, mark)
    return node, mark


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


def duplicate(text: str, name: str, key) -> InputError:
    """A repeated key, refused with both places (a parser keeps the last silently; S3 XML refuses repeats too)."""
    import yaml

    stack = [_composed(text)]  # JSON is YAML here: the node graph has every key with its position
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen = {}
            for key_node, value in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                    if key_node.value in seen:
                        return duplicate_at(name, key_node.value, seen[key_node.value], key_node.start_mark)
                    seen[key_node.value] = key_node.start_mark
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return InputError(error("duplicate", f"the key {key!r} appears more than once in a mapping", file=name,
                            hint="keep one"))


def duplicate_at(name: str, key, first, second) -> InputError:
    """The error for a key repeated at the YAML mark second, first seen at the mark first."""
    return InputError(error("duplicate", f"the key {key!r} appears again (first at line {first.line + 1}, "
                            f"column {first.column + 1})", file=name, line=second.line + 1, column=second.column + 1,
                            hint="keep one: a parser would silently keep the last"))
