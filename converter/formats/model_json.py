"""The canonical model as JSON: a version field and every configuration, for debugging and tests."""

from __future__ import annotations

from pydantic import ValidationError

from ..errors import InputError, error
from ..grammar import render
from ..model import Document, ReplicationConfig, dump
from ..sources import Source, locate
from . import json_text
from .detection import model_json as detect  # noqa: F401 - formats.detect uses the table, not this module

NAME = "model"
MULTI = True  # one document holds every configuration
NEEDS_LITERALS = False


def read(source: Source, context=None) -> list[ReplicationConfig]:
    """The configurations of a model document."""
    try:
        return list(Document.model_validate_json(source.text, strict=False).configurations)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            if err["type"] == "json_invalid":
                problems.append(error("syntax", f"JSON: {err['msg']}", file=source.name))
                continue
            pointer = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("str", "Ref")))
            spot = locate(source.text, pointer)
            problems.append(error("input", err["msg"], path=render(pointer), file=source.name,
                                  line=spot[0] if spot else None, column=spot[1] if spot else None))
        raise InputError(problems) from None


def write(configs: list[ReplicationConfig], options) -> str:
    """The model document as indented JSON."""
    return json_text(dump(configs), indent=2)


def locator(source: Source, configs: list[ReplicationConfig]):
    """Where a model location is in the document."""
    def where(index: int, loc: tuple):
        return locate(source.text, ("configurations", index) + tuple("and" if p == "and_" else p for p in loc))

    return where
