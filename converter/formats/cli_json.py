"""AWS CLI JSON: put/get-bucket-replication documents (bare, wrapped, --cli-input-json/yaml shapes)."""

from __future__ import annotations

from .. import grammar
from ..errors import InputError, Refusal, UsageError, error
from ..model import ReplicationConfig
from ..sources import Source, load_json, load_yaml, locate, with_locations
from . import json_text
from .detection import cli_json as detect  # noqa: F401 - formats.detect uses the table, not this module

NAME = "cli-json"
MULTI = False  # one configuration per document
NEEDS_LITERALS = True
GRAMMAR = grammar.load(NAME)
REQUEST = GRAMMAR.raw["request"]  # the --cli-input-json members around ReplicationConfiguration


def parse(source: Source) -> object:
    """JSON, or YAML when the text is not a JSON object (the --cli-input-yaml shape)."""
    text = source.text
    if source.name.lower().endswith((".yaml", ".yml")) or not text.lstrip().startswith(("{", "[")):
        return load_yaml(text, source.name)
    return load_json(text, source.name)


def read(source: Source, context=None) -> list[ReplicationConfig]:
    """The configuration in a CLI JSON or YAML document, in any of its three shapes."""
    data = parse(source)
    try:
        return [_read(data)]
    except InputError as exc:
        raise with_locations(exc, source.text, source.name, locate) from None


def _read(data) -> ReplicationConfig:
    if not isinstance(data, dict):
        raise InputError(error("input", "expected a JSON object with Role and Rules"))
    if "ReplicationConfiguration" not in data:  # the bare shape
        return grammar.to_model(data, ReplicationConfig, GRAMMAR)
    problems, request = [], {}
    for key, value in data.items():
        if key not in REQUEST:
            close = [k for k in REQUEST if k.lower() == key.lower()]
            problems.append(error("unknown-member", f"unknown member {key!r}", path=key, pointer=(key,),
                                  hint=f"did you mean {close[0]!r}?" if close else f"allowed here: {', '.join(REQUEST)}"))
        elif REQUEST[key] is not None:
            if not isinstance(value, str):
                problems.append(error("input", f"expected a string, got {type(value).__name__}", path=key, pointer=(key,)))
            request[REQUEST[key]] = value
    try:
        config = grammar.to_model(data["ReplicationConfiguration"], ReplicationConfig, GRAMMAR,
                                  pointer=("ReplicationConfiguration",))
    except InputError as exc:
        problems += exc.diagnostics
    if problems:
        raise InputError(problems)
    return config.model_copy(update=request)


def document(config: ReplicationConfig, shape: str) -> dict:
    """The JSON document of a configuration in the asked shape."""
    body = grammar.from_model(config, GRAMMAR)
    if shape == "bare":
        return body
    if shape == "wrapped":
        return {"ReplicationConfiguration": body}
    if shape != "cli-input":
        raise UsageError(error("usage", f"unknown --shape {shape!r}", hint="choose bare, wrapped or cli-input"))
    if not isinstance(config.bucket, str):
        raise Refusal(error("needs-bucket", "the --cli-input-json shape names the source bucket, and the input "
                            + ("has none" if config.bucket is None else f"only refers to it ({config.bucket.display()})"),
                            hint="pass --bucket NAME"))
    out = {}
    for member, field_name in REQUEST.items():
        value = body if member == "ReplicationConfiguration" else getattr(config, field_name or "", None)
        if value is not None:
            out[member] = value
    return out


def write(configs: list[ReplicationConfig], options) -> str:
    """CLI JSON text, indented as the AWS CLI prints it."""
    (config,) = configs
    return json_text(document(config, options.shape), indent=4)


def locator(source: Source, configs: list[ReplicationConfig]):
    """Where a model location is in the document: (line, column) or None."""
    # Wrapped (the --cli-input-json shape) when the top holds ReplicationConfiguration: asked of the source map, which
    # the findings share, rather than parsing the document again.
    wrapped = "ReplicationConfiguration" in source.text and (
        locate(source.text, ("ReplicationConfiguration",)) != locate(source.text, ()))
    request = {field for field in REQUEST.values() if field}

    def where(index: int, loc: tuple):
        prefix = ("ReplicationConfiguration",) if wrapped and not (loc and loc[0] in request) else ()
        return locate(source.text, prefix + grammar.to_pointer(loc, NAME))

    return where
