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
    """Where members are in a JSON text, found as the YAML map finds them. Each object or array is scanned only as far
    as a pointer needs, and where it stopped is kept for the next pointer; a value is skipped (by the C decoder) only
    when a later member is asked for, and a key is searched for ahead of the scan: a finding per rule costs about its
    rule, not the document. Not JSON before the member: the YAML map answers (past it, the text is not read)."""

    def __init__(self, text: str):
        import json
        import re
        from json.decoder import scanstring

        self.text, self.skip, self.scanstring = text, json.JSONDecoder().scan_once, scanstring  # skip: StopIteration if not JSON
        self.space = re.compile(r"[ \t\n\r]*")
        # The scan runs in Python per member: one match takes a plain key, its colon and a plain scalar value with the
        # comma after it; a container's value is skipped by the C decoder when a later member is asked for.
        self.member = re.compile(r'"([^"\\]*)"[ \t\n\r]*:[ \t\n\r]*(?:("[^"\\]*"|true|false|null|'
                                 r'-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)[ \t\n\r]*(,?)[ \t\n\r]*)?')
        self.after = re.compile(r"[ \t\n\r]*(,?)[ \t\n\r]*")
        self.scans: dict[int, _Scan] = {}  # offset of { or [ -> how far it is scanned
        self.root = self.space.match(text).end()
        self.lines = [(0, 1)]  # (offset, line) pairs known, in order: a line is counted from the nearest below

    def where(self, pointer: tuple) -> tuple[int, int] | None:
        try:
            offset = self._find(pointer)
        except (ValueError, IndexError, StopIteration, RecursionError):
            return _yaml_map(self.text)(pointer)
        if offset is None:
            return None
        from bisect import bisect_right, insort

        text = self.text
        known, line = self.lines[bisect_right(self.lines, (offset, len(text))) - 1]
        line += text.count("\n", known, offset)
        insort(self.lines, (offset, line))
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1

    def _find(self, pointer: tuple) -> int | None:
        at = mark = self.root
        if at >= len(self.text):
            return None
        for part in pointer:
            found = self._member(at, part)
            if found is None:
                break
            mark, at = found
        return mark

    def _member(self, at: int, part) -> tuple[int, int] | None:
        """(key offset, value offset) of an object's member (the first of duplicates, as YAML's map), (offset, offset)
        of an array's item; None when it is not there or at is a scalar."""
        scan = self.scans.get(at)
        if scan is None:
            if self.text[at] not in "{[":
                return None
            scan = self.scans[at] = _Scan(self.text[at] == "{", self.space.match(self.text, at + 1).end())
        found = scan.found
        if not scan.is_object:
            if not isinstance(part, int):
                return None
            if part < len(found):
                return found[part], found[part]
        else:
            if not isinstance(part, str):
                return None
            if part in found:
                return found[part]
            if scan.end is None and not scan.skipped and (jumped := self._jump(scan, part)):
                return jumped
            if scan.skipped:  # members were jumped over unrecorded: scan them now, from the first
                scan.next, scan.pending, scan.end, scan.skipped = scan.first, None, None, False
        text = self.text
        while scan.end is None:
            at = scan.next
            if scan.pending is not None:  # the value of the member last found: skipped now that a later one is asked
                after = self.after.match(text, self._end(scan.pending))
                at = after.end()
                if not after.group(1) and text[at] not in "}]":
                    raise ValueError("not JSON")
                scan.next, scan.pending = at, None
            if text[at] in "}]":
                scan.end = at + 1
                break
            if scan.is_object:
                plain = self.member.match(text, at)
                if plain and plain.group(2) is not None:  # a plain scalar: the scan moves past it at once
                    key, value_at, scan.next = plain.group(1), plain.start(2), plain.end()
                    if not plain.group(3) and text[scan.next] not in "}]":
                        raise ValueError("not JSON")
                elif plain:
                    key, value_at = plain.group(1), plain.end()
                    scan.pending = value_at
                else:  # an escape in the key (or not JSON)
                    if text[at] != '"':
                        raise ValueError("not JSON")
                    key, end = self.scanstring(text, at + 1)
                    colon = self.space.match(text, end).end()
                    if text[colon] != ":":
                        raise ValueError("not JSON")
                    scan.pending = value_at = self.space.match(text, colon + 1).end()
                if key not in found:
                    found[key] = (at, value_at)
                    if key == part:
                        return at, value_at
            else:
                scan.pending = at
                found.append(at)
                if part == len(found) - 1:
                    return at, at
        return None

    def _jump(self, scan: _Scan, key: str) -> tuple[int, int] | None:
        """The member found ahead by a text search when the members before it decode as an object (in C): a finding
        per rule asks for a member deep in each rule, past members a scan in Python would step through one by one.
        None when that does not hold (the key is elsewhere, or not there): the scan finds it."""
        text = self.text
        found = text.find(f'"{key}"', scan.next) if '"' not in key and "\\" not in key else -1
        member = self.member.match(text, found) if found >= 0 else None
        if member is None:
            return None
        before = text[scan.next:found].rstrip(" \t\n\r")
        if before:
            if before[-1] != ",":
                return None
            try:
                if self.skip(f"{{{before[:-1]}}}", 0)[1] != len(before) + 1:
                    return None
            except (StopIteration, ValueError, RecursionError):
                return None
            scan.skipped = True
        value_at = member.start(2) if member.group(2) is not None else member.end()
        scan.next, scan.pending = (member.end(), None) if member.group(2) is not None else (found, value_at)
        scan.found[key] = (found, value_at)
        return found, value_at

    def _end(self, at: int) -> int:
        """The offset just past the value at an offset: where its own scan ended, or the C decoder's skip (faster than
        going on with that scan in Python)."""
        scan = self.scans.get(at)
        return scan.end if scan is not None and scan.end is not None else self.skip(self.text, at)[1]


class _Scan:
    """How far an object or array has been scanned: members found, where the scan goes on, the value not yet skipped."""

    __slots__ = ("is_object", "found", "first", "next", "pending", "end", "skipped")

    def __init__(self, is_object: bool, first: int):
        self.is_object, self.found, self.first, self.next = is_object, {} if is_object else [], first, first
        self.pending = self.end = None
        self.skipped = False  # members jumped over, not in found


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


# Positions a reader found while reading, for its locator: pointer -> position, by configuration, for as long as that
# configuration lives (was: the last 4,096 reads, which kept their configurations too; a caller reading 1,000-rule
# documents in a loop held 20 MB more per read). Keyed by id(): the models need not be hashable.
_READ: dict = {}


def remember(config, positions: dict) -> None:
    """Keep where a reader found the members of a configuration, for the locator of the same read."""
    import weakref

    key = id(config)
    # The entry goes when the configuration does, before its id can be given to another object.
    _READ[key] = (weakref.ref(config, lambda _, key=key: _READ.pop(key, None)), positions)


def recalled(config) -> dict | None:
    """The positions remember kept for this very configuration, or None."""
    entry = _READ.get(id(config))
    return entry[1] if entry and entry[0]() is config else None
