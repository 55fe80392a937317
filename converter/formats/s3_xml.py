"""S3 REST XML: the body of PUT and GET /{bucket}?replication, read with defusedxml."""

from __future__ import annotations

import re
from functools import cache

from .. import grammar
from ..errors import InputError, Refusal, error
from ..model import ReplicationConfig
from ..source_map import recalled, remember
from ..sources import Source
from .detection import s3_xml as detect  # noqa: F401 - formats.detect uses the table, not this module

NAME = "s3-xml"
MULTI = False
NEEDS_LITERALS = True
GRAMMAR = grammar.load(NAME)
NAMESPACE = GRAMMAR.raw["namespace"]
ROOT = GRAMMAR.raw["root"]
FLATTENED = GRAMMAR.raw["flattened"]  # list member -> the element name each item gets (no wrapper element)
# https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketReplication.html
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# A thousand rules of every member take about 40,000 elements; more is refused while parsing, before the tree grows.
MAX_ELEMENTS = 100_000
_NONBLANK = re.compile(r"\S")


class _TooMany(Exception):
    """More than MAX_ELEMENTS elements."""


class _Positions:
    """A TreeBuilder target that remembers where each element starts, and where text stands between elements."""

    def __init__(self):
        from xml.etree.ElementTree import TreeBuilder

        self.builder, self.parser, self.where, self.text_at = TreeBuilder(), None, {}, {}
        self.open, self.closed = [], None  # the elements open; the one that just closed (text now is its tail)
        self.lines, self.mark = [], (1, 1)  # the source's lines, to find text; where the last tag ended

    def _position(self):
        expat = self.parser.parser
        return expat.CurrentLineNumber, expat.CurrentColumnNumber + 1

    def start(self, tag, attrs):
        element = self.builder.start(tag, attrs)
        self.where[element] = self._position()
        self.mark = self._after_tag()
        if len(self.where) > MAX_ELEMENTS:
            raise _TooMany()
        self.open.append(element)
        self.closed = None
        return element

    def end(self, tag):
        self.closed = self.open.pop() if self.open else None
        self.mark = self._after_tag()
        return self.builder.end(tag)

    def data(self, text):
        if text.strip():
            key = (self.closed, "tail") if self.closed is not None else (self.open[-1] if self.open else None, "text")
            self.text_at.setdefault(key, self.mark)  # text_start finds it when a problem needs it
        self.builder.data(text)

    def text_start(self, mark):
        """Where a text's first non-blank character is, found in the source after the tag that ended at mark
        (expat reports buffered text at the markup that follows it)."""
        line, column = mark
        while line <= len(self.lines):
            row = self.lines[line - 1]
            found = _NONBLANK.search(row, column - 1)
            if found:
                return line, found.start() + 1
            line, column = line + 1, 1
        return mark

    def _after_tag(self):
        """The position just after the tag expat is at."""
        line, column = self._position()
        row = self.lines[line - 1] if line <= len(self.lines) else ""
        close = row.find(">", column - 1)
        return (line, close + 2) if close >= 0 else (line, column)

    def close(self):
        return self.builder.close()


def _parse(source: Source):
    import defusedxml
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    target = _Positions()
    target.lines = source.text.split("\n")
    # forbid_dtd: a replication body never needs a DOCTYPE, and refusing it stops entity bombs early.
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    target.parser = parser
    try:
        parser.feed(source.text)
        root = parser.close()
    except ParseError as exc:
        line, column = exc.position
        raise InputError(error("syntax", f"XML: {str(exc).split(':')[0]}", file=source.name,
                               line=line, column=column + 1)) from None
    except defusedxml.DefusedXmlException as exc:
        what = {"DTDForbidden": "a DOCTYPE declaration", "EntitiesForbidden": "an entity declaration",
                "ExternalReferenceForbidden": "an external reference"}.get(type(exc).__name__, "unsafe markup")
        raise InputError(error("unsafe-xml", f"refused: the document holds {what}", file=source.name,
                               hint="S3 XML bodies never need DOCTYPE or entity declarations; remove them")) from None
    except RecursionError:
        raise InputError(error("too-deep", "XML nesting is too deep", file=source.name)) from None
    except _TooMany:
        line, column = target._position()
        raise InputError(error("too-large", f"more than {MAX_ELEMENTS:,} elements", file=source.name, line=line,
                               column=column, hint="a replication configuration holds at most 1,000 rules")) from None
    return root, target


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@cache
def _flattened(cls) -> dict[str, str]:
    """The item element of each flattened list member of a class, and the member: {"Rule": "Rules"}."""
    shape = GRAMMAR.shapes[cls.__name__]
    return {FLATTENED[m]: m for m in shape if m in FLATTENED and grammar.kinds(cls)[shape[m]][0] == "list"}


def _to_data(element, cls, pointer, parsed: _Positions, where, problems) -> dict:
    """An element as format data (the CLI JSON shape), recording in where each member's position."""
    shape, kinds, item_of = GRAMMAR.shapes[cls.__name__], grammar.kinds(cls), _flattened(cls)
    lists, positions = item_of.values(), parsed.where
    where[pointer] = positions.get(element)
    if (element.text or "").strip():
        line, column = parsed.text_start(parsed.text_at.get((element, "text"), (1, 1)))
        problems.append(error("input", f"unexpected text {element.text.strip()[:40]!r} in <{_local(element.tag)}>",
                              path=grammar.render(pointer) or None, pointer=pointer, line=line, column=column))
    data: dict = {}
    for child in element:
        if (child.tail or "").strip():  # text between elements: S3 would refuse the body (mixed content)
            line, column = parsed.text_start(parsed.text_at.get((child, "tail"), (1, 1)))
            problems.append(error("input", f"unexpected text {child.tail.strip()[:40]!r} after <{_local(child.tag)}>",
                                  path=grammar.render(pointer) or None, pointer=pointer, line=line, column=column,
                                  hint="remove it; text belongs inside an element that holds no elements"))
        name = _local(child.tag)
        member = item_of.get(name, name)
        kind = kinds.get(shape.get(member, ""), ("str", None))
        if name in lists and name not in item_of:
            here = pointer + (name,)
            problems.append(error("input", f"<{name}> is not a wrapper in S3 XML: put each <{FLATTENED[name]}> "
                                  f"directly under <{_local(element.tag)}>", path=grammar.render(here), pointer=here))
            continue
        if member in lists:
            items = data.setdefault(member, [])
            here = pointer + (member, len(items))
            items.append(_to_data(child, kind[1], here, parsed, where, problems))
            continue
        here = pointer + (member,)
        where[here] = positions.get(child)
        if member in data:
            problems.append(error("duplicate", f"<{name}> appears more than once", path=grammar.render(here),
                                  pointer=here))
        if member not in shape:  # unknown: to_model names it and suggests the closest member
            data[member] = child.text or ""
        elif kind[0] == "model":
            data[member] = _to_data(child, kind[1], here, parsed, where, problems)
        else:
            if len(child):
                problems.append(error("input", f"<{name}> holds elements; expected text", path=grammar.render(here),
                                      pointer=here))
            data[member] = child.text or ""
    return data


def read(source: Source, context=None) -> list[ReplicationConfig]:
    """The configuration in an S3 XML document, with or without the namespace, members in any order."""
    root, parsed = _parse(source)
    if _local(root.tag) != ROOT:
        raise InputError(error("input", f"the root element is <{_local(root.tag)}>, expected <{ROOT}>",
                               file=source.name, line=1))
    where, problems = {}, []
    data = _to_data(root, ReplicationConfig, (), parsed, where, problems)
    try:
        if problems:
            raise InputError(problems)
        config = grammar.to_model(data, ReplicationConfig, GRAMMAR, text=True)
        remember(config, where)  # the locator's source map: no second parse when findings ask where they are
        return [config]
    except InputError as exc:
        located = []
        for diag in exc.diagnostics:
            spot = _nearest(where, diag.pointer or ())
            located.append(diag.at(file=source.name, line=spot[0], column=spot[1]) if spot else diag.at(file=source.name))
        raise InputError(sorted(located, key=lambda d: (d.line or 0, d.column or 0))) from None


def _nearest(where: dict, pointer: tuple):
    """Where a member starts, or its closest enclosing element when it is missing."""
    for end in range(len(pointer), -1, -1):
        if where.get(pointer[:end]):
            return where[pointer[:end]]
    return None


def write(configs: list[ReplicationConfig], options) -> str:
    """The namespaced XML document S3 expects, with flattened Rule and Tag lists."""
    from xml.etree import ElementTree as ET

    (config,) = configs
    root = ET.Element(ROOT, xmlns=NAMESPACE)
    _fill(root, grammar.from_model(config, GRAMMAR), ())
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=False)
    # XML parsers turn a raw carriage return into a newline; a character reference keeps it.
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body.replace("\r", "&#13;") + "\n"


def _fill(parent, data: dict, pointer: tuple) -> None:
    from xml.etree import ElementTree as ET

    for member, value in data.items():
        many = isinstance(value, list)
        for index, item in enumerate(value if many else [value]):
            here = pointer + ((member, index) if many else (member,))
            child = ET.SubElement(parent, FLATTENED.get(member, member) if many else member)
            if isinstance(item, dict):
                _fill(child, item, here)
                continue
            child.text = str(item)
            bad = _NOT_XML.search(child.text)
            if bad:  # https://www.w3.org/TR/xml/#charsets
                raise Refusal(error("not-xml", f"the character U+{ord(bad.group()):04X} cannot appear in XML 1.0",
                                    path=grammar.render(here), hint="use cli-json, which can hold it"))


def locator(source: Source, configs: list[ReplicationConfig]):
    """Where a model location is in the document: (line, column) of its element or the closest around it."""
    where = recalled(configs[0]) if configs else None
    if where is None:  # configurations not read here (a copy): read the positions again
        root, parsed = _parse(source)
        where = {}
        _to_data(root, ReplicationConfig, (), parsed, where, [])
    return lambda index, loc: _nearest(where, grammar.to_pointer(loc, NAME))
