"""Reading input safely: files, directories and stdin, size caps, encodings, JSON and YAML within bounds."""

from __future__ import annotations

import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, UsageError, error
from .source_map import _JsonMap, _yaml_map, duplicate, duplicate_at, locate, plain_scalar, source_map, with_locations  # noqa: F401 - the readers import them from here

# S3 caps one configuration at 2 MB; templates and Terraform directories can be larger.
MAX_INPUT_BYTES = 20 * 1024 * 1024
# --max-bytes may raise the cap up to this: what s3repl can hold in its memory bound (README "Safety").
HARD_MAX_BYTES = 64 * 1024 * 1024
# A YAML document may share nodes through aliases; walking it may not visit more than this many.
MAX_NODES = 2_000_000
# Nesting deeper than this is refused before a recursive parser or reader sees it (libyaml's composer overflows the
# C stack near 50,000 levels; Python readers hit RecursionError near 1,000). A replication template needs about 20.
MAX_DEPTH = 100


@dataclass(frozen=True)
class Source:
    """One input document: its name for messages and its text."""

    name: str
    text: str


# Words every replication configuration holds in one of its formats; other YAML, JSON and HCL files are skipped.
MARKERS = ("ReplicationConfiguration", "replication_configuration", "aws_s3_bucket_replication_configuration",
           '"Destination"', "Destination:", "<Destination>", '"configurations"')


def while_held(parse):
    """parse(source), done once for as long as that source is held: the locator and the versioning facts of a read ask
    again for what its reader parsed. Not a cache bound by count: 64 parsed 1,000-rule files held gigabytes."""
    import functools
    import weakref

    parsed = weakref.WeakKeyDictionary()  # Source -> result; an entry goes with its source

    @functools.wraps(parse)
    def cached(source: Source):
        try:
            return parsed[source]
        except KeyError:
            result = parsed[source] = parse(source)
            return result

    cached.held, cached.cache_clear = parsed, parsed.clear
    return cached


def mentions_replication(text: str) -> bool:
    """Whether a document may hold a replication configuration (a directory's other files are skipped)."""
    return any(marker in text for marker in MARKERS)


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
    """The documents named by a command-line INPUT: a file, '-' for stdin, or a directory's files.

    max_bytes caps a file, stdin, and a directory's files together; it may not exceed HARD_MAX_BYTES.
    """
    if max_bytes > HARD_MAX_BYTES:
        raise UsageError(error("usage", f"--max-bytes {max_bytes:,} is above the limit of {HARD_MAX_BYTES:,}",
                               hint="s3repl reads inputs into memory; split larger inputs"))
    if path == "-":
        return [Source("<stdin>", decode(_capped(sys.stdin.buffer, "<stdin>", max_bytes), "<stdin>"))]
    target = Path(path)
    if target.is_dir():
        from .formats import known_extension

        files = sorted(p for p in target.iterdir() if p.is_file() and known_extension(p.name))
        if not files:
            raise InputError(error("empty-directory", "no file with a known extension in the directory", file=path))
        out, left = [], max_bytes
        for file in files:
            try:
                out += load(str(file), left)
            except InputError as exc:
                if exc.diagnostics[0].code != "too-large" or left == max_bytes:
                    raise
                raise InputError(error("too-large", f"the directory's files together are larger than {max_bytes:,} "
                                       "bytes", file=path, hint="raise the limit with --max-bytes, or convert fewer "
                                       "files at once")) from None
            left -= file.stat().st_size
        return out
    try:
        if not stat.S_ISREG(target.stat().st_mode):  # a FIFO or a device would block, or never end
            raise InputError(error("not-a-file", "not a regular file", file=path,
                                   hint=f"to read a pipe, redirect it to standard input: s3repl ... - < {path}"))
        with target.open("rb") as handle:
            data = _capped(handle, path, max_bytes)
    except OSError as exc:
        raise InputError(error("unreadable", exc.strerror or str(exc), file=path,
                               hint="check the path; use - to read standard input")) from None
    return [Source(path, decode(data, path))]


def _capped(handle, name: str, max_bytes: int) -> bytes:
    chunks, size = [], 0
    while size <= max_bytes:  # in chunks: read(max_bytes + 1) would reserve max_bytes at once
        chunk = handle.read(min(1 << 20, max_bytes + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > max_bytes:
        raise InputError(error("too-large", f"input is larger than {max_bytes:,} bytes", file=name,
                               hint="raise the limit with --max-bytes if the file is genuine"))
    return b"".join(chunks)


def load_yaml(text: str, name: str, loader=None, local_tag=None) -> Any:
    """YAML with the safe loader (C-accelerated when libyaml is there); errors carry line and column.

    local_tag(suffix, value) reads a tag such as !Ref on the fast path, or raises ValueError to leave the document to
    loader, the PyYAML loader that reads the same tags.
    """
    import yaml

    loader = loader or getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    if hasattr(yaml, "CSafeLoader"):
        try:
            return _events_to_data(text, local_tag, name)
        except (ValueError, yaml.YAMLError):
            pass  # PyYAML's own loader below gives the same data, or the error with its line and column
    try:
        data = _load_bounded(text, name, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.problem == "exceeded maximum nesting depth" and mark:  # libyaml's own bound (1,000 levels, since 0.2.6)
            raise _too_deep(name, mark) from None
        raise InputError(error("syntax", f"YAML: {exc.problem or exc.context}", file=name,
                               line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None)) from None
    except yaml.YAMLError as exc:
        raise InputError(error("syntax", f"YAML: {exc}", file=name)) from None
    except RecursionError:
        raise InputError(error("too-deep", "YAML nesting is too deep", file=name)) from None
    except ValueError:  # what PyYAML's constructors refuse: a number of more than 4,300 digits, a bad date
        raise _unreadable_value(text, name, "YAML") from None
    check_size(data, name)
    return data


def _load_bounded(text: str, name: str, loader) -> Any:
    """yaml.load with the merge keys' expansion counted on the node graph first: copying merged pairs is what a
    1 KB merge-key bomb makes exponential, and it happens inside the constructor, before check_size could see it."""
    instance = loader(text)
    try:
        node = instance.get_single_node()
        if node is None:
            return None
        _check_merges(node, name)
        return instance.construct_document(node)
    finally:
        instance.dispose()


def _check_merges(root, name: str) -> None:
    """Refuse a node graph whose mappings, merge keys flattened, hold more than MAX_NODES pairs in all, or that
    repeats a key in a mapping (merged keys may be overridden: that is what merge keys are for)."""
    import yaml

    merge, weights, seen, total = "tag:yaml.org,2002:merge", {}, set(), 0
    stack = [(root, False)]
    while stack:  # iterative: a chain of anchors may be longer than Python's recursion limit
        node, children_done = stack.pop()
        if isinstance(node, yaml.ScalarNode) or id(node) in weights:
            continue
        if not children_done:
            if id(node) in seen:  # done already, or an ancestor (a recursive alias)
                continue
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                stack.append((node, True))
            stack.extend((child, False) for item in node.value for child in (item if isinstance(item, tuple) else (item,)))
            continue
        weight, keys = 0, {}
        for key, value in node.value:
            if key.tag != merge:
                weight += 1
                if isinstance(key, yaml.ScalarNode):
                    first = keys.setdefault((key.tag, key.value), key)
                    if first is not key:
                        raise duplicate_at(name, key.value, first.start_mark, key.start_mark)
                continue
            for merged in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                weight += weights.get(id(merged), 0)
        weights[id(node)] = weight
        total += weight
        if total > MAX_NODES:
            raise InputError(error("too-large", f"the document expands to more than {MAX_NODES:,} values "
                                   "(YAML merge keys copy the mappings they merge)", file=name))


class _Unusual(ValueError):
    """The document uses what only PyYAML's full loader handles (anchors, merge keys, rare tags...)."""


def _events_to_data(text: str, local_tag, name: str = "<string>") -> Any:
    """The data PyYAML's safe loader gives, built straight from libyaml's events (3-4x faster on big templates).

    PyYAML composes a node graph, resolving every scalar in Python, then constructs the data from it; most of a
    big template's load time goes there. This builds the data in one pass for the common subset of YAML and raises
    _Unusual for the rest (anchors and aliases, merge keys, explicit tags but !!str, several documents, deep
    nesting), which the caller then gives to PyYAML. tests/test_sources.py checks both paths give equal data.
    Nesting deeper than MAX_DEPTH is refused here, on libyaml's events (its parser keeps a heap stack), before
    PyYAML's recursive composer could overflow the C stack.
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
                if len(stack) >= MAX_DEPTH:
                    raise _too_deep(name, event.start_mark)
                if event.anchor is not None:
                    raise _Unusual("anchor")
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
                if top[2] in top[0]:
                    raise duplicate(text, name, top[2])
                top[0][top[2]] = value
                top[2] = _NO_KEY
    except ValueError:  # _Unusual, or a tag or scalar left to PyYAML
        _check_depth(loader, len(stack), name)  # the rest of the document, before PyYAML's composer recurses into it
        raise
    finally:
        loader.dispose()
    if root is _NO_KEY:
        raise _Unusual("empty")
    return root


_NO_KEY = object()


class _Duplicate(ValueError):
    """A key repeated in one JSON object."""


def _unique_pairs(pairs: list) -> dict:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen = set()
        raise _Duplicate(next(key for key, _ in pairs if key in seen or seen.add(key)))
    return data


def _too_deep(name: str, mark) -> InputError:
    return InputError(error("too-deep", f"nesting deeper than {MAX_DEPTH} levels", file=name, line=mark.line + 1,
                            column=mark.column + 1, hint="a replication configuration needs far fewer"))


def _check_depth(loader, depth: int, name: str) -> None:
    """Read the remaining events only to refuse nesting deeper than MAX_DEPTH."""
    from yaml.events import CollectionEndEvent, CollectionStartEvent

    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(name, event.start_mark)
        elif isinstance(event, CollectionEndEvent):
            depth -= 1


def check_size(data: Any, name: str) -> None:
    """Refuse a document whose aliases expand past MAX_NODES nodes (a 'billion laughs' bomb), or nested deeper than
    MAX_DEPTH (the readers recurse)."""
    budget, stack = MAX_NODES, [(data, 0)]
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise InputError(error("too-large", f"the document expands to more than {MAX_NODES:,} values "
                                   "(YAML aliases repeat shared nodes)", file=name))
        if depth > MAX_DEPTH:
            raise InputError(error("too-deep", f"nesting deeper than {MAX_DEPTH} levels", file=name,
                                   hint="a replication configuration needs far fewer"))
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def load_json(text: str, name: str) -> Any:
    """JSON; errors carry line and column."""
    import json

    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs)
    except _Duplicate as exc:
        raise duplicate(text, name, exc.args[0]) from None
    except json.JSONDecodeError as exc:
        raise InputError(error("syntax", f"JSON: {exc.msg}", file=name, line=exc.lineno, column=exc.colno)) from None
    except RecursionError:
        raise InputError(error("too-deep", "JSON nesting is too deep", file=name)) from None
    except ValueError:  # a number of more than 4,300 digits (Python's int limit)
        raise _unreadable_value(text, name, "JSON") from None
    check_size(data, name)
    return data


# An escape that can write half of a UTF-16 pair (JSON \udc80, HCL \U0000dc80): no UTF-8 output can hold one alone.
_SURROGATE_ESCAPE = re.compile(r"\\[uU]0*[dD][89a-fA-F][0-9a-fA-F]{2}")


def refuse_surrogates(text: str, configs: list, name: str) -> None:
    """Refuse, with its field path, a string holding a lone surrogate, before a writer fails to encode it."""
    if not _SURROGATE_ESCAPE.search(text):
        return
    from .grammar import api_path

    for index, config in enumerate(configs):
        for loc, value in _strings(config, ()):
            bad = next((c for c in value if "\ud800" <= c <= "\udfff"), None)
            if bad:
                raise InputError(error("encoding", f"a lone surrogate U+{ord(bad):04X} (half of a UTF-16 pair) "
                                       "cannot be written as UTF-8", file=name, path=api_path(loc) if loc else None,
                                       hint="write the character whole, or remove it"))


def _strings(obj, loc: tuple):
    """(model location, string) for every string in a model object, references included."""
    from pydantic import BaseModel

    if isinstance(obj, str):
        yield loc, obj
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _strings(item, loc + (i,))
    elif isinstance(obj, BaseModel):
        for field_name in type(obj).model_fields:
            value = getattr(obj, field_name)
            if value is not None:
                yield from _strings(value, loc if field_name in ("parts", "text", "default", "target") and
                                    type(obj).__name__ == "Ref" else loc + (field_name,))


def _unreadable_value(text: str, name: str, language: str) -> InputError:
    """A value the parser could not turn into data, located at the first over-long number when there is one."""
    long = re.search(r"\d{4301}", text)
    line = text.count("\n", 0, long.start()) + 1 if long else None
    column = long.start() - text.rfind("\n", 0, long.start()) if long else None
    what = "a number of more than 4,300 digits" if long else "a value that cannot be read (a date or number out of range)"
    return InputError(error("value", f"{language}: {what}", file=name, line=line, column=column,
                            hint="quote it to make it a string"))
