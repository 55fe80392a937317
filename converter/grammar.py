"""The format grammars (grammars/*.json) and the table-driven mapping between format data and the model."""

from __future__ import annotations

import difflib
import json
import types
import typing
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Callable, Literal, Union

from pydantic import BaseModel, ValidationError

from . import model
from .errors import Diagnostic, InputError, Refusal, error
from .values import Ref

# Installed wheels carry the grammars inside the package; a source checkout has them beside it.
_GRAMMAR_DIRS = (Path(__file__).parent / "grammars", Path(__file__).parent.parent / "grammars")

Pointer = tuple[Union[str, int], ...]
ValueHook = Callable[[Any, Pointer], Any]


@dataclass(frozen=True)
class Grammar:
    """One format's names, shapes and declared gaps, as data."""

    name: str
    aliases: tuple[str, ...]
    extensions: tuple[str, ...]
    summary: str
    doc: str
    shapes: dict[str, dict[str, str]]  # model class name -> {format member: model field}
    cannot_express: tuple[dict, ...]
    raw: dict = field(repr=False)

    def member(self, cls: type[BaseModel], field_name: str) -> str:
        """The format's name for a model field."""
        return _inverse(self.name)[cls.__name__][field_name]


@cache
def load(name: str) -> Grammar:
    """The grammar of a format, read once from grammars/NAME.json."""
    for folder in _GRAMMAR_DIRS:
        path = folder / f"{name}.json"
        if path.is_file():
            raw = json.loads(path.read_text(encoding="utf-8"))
            if "same_as" in raw:  # a second syntax of one format: everything but the names is shared
                raw = {**load(raw["same_as"]).raw, **raw}
            shapes = load(raw["shapes_from"]).shapes if "shapes_from" in raw else raw.get("shapes", {})
            return Grammar(
                name=raw["name"],
                aliases=tuple(raw.get("aliases", ())),
                extensions=tuple(raw.get("extensions", ())),
                summary=raw.get("summary", ""),
                doc=raw.get("doc", ""),
                shapes=shapes,
                cannot_express=tuple(raw.get("cannot_express", ())),
                raw=raw,
            )
    raise FileNotFoundError(f"no grammar for format {name!r} in {', '.join(map(str, _GRAMMAR_DIRS))}")


@cache
def references() -> dict:
    """The table that translates references between CloudFormation and Terraform."""
    for folder in _GRAMMAR_DIRS:
        path = folder / "references.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError("no grammars/references.json")


@cache
def _inverse(name: str) -> dict[str, dict[str, str]]:
    return {cls: {f: m for m, f in shape.items()} for cls, shape in load(name).shapes.items()}


# --- what kind of thing each model field holds --------------------------------------------------

Kind = tuple[str, Any]  # ("model", cls) | ("list", cls) | ("enum", values) | ("int"|"str"|"value", None)


@cache
def kinds(cls: type[BaseModel]) -> dict[str, Kind]:
    """Each field of a model class and the kind of value it holds."""
    return {name: _kind(info.annotation) for name, info in cls.model_fields.items()}


def _kind(annotation: Any) -> Kind:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        if Ref in args:
            return ("value", None)
        return _kind(args[0])
    if origin is tuple:
        return ("list", args[0])
    if origin is Literal:
        return ("enum", typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation)
    return ("int" if annotation is int else "str", None)


@cache
def _limits(cls: type[BaseModel]) -> dict[str, tuple[int, int]]:
    """Length limits of a class's list fields (min_length / max_length), read from the model."""
    out = {}
    for name, info in cls.model_fields.items():
        low = next((m.min_length for m in info.metadata if getattr(m, "min_length", None) is not None), 0)
        high = next((m.max_length for m in info.metadata if getattr(m, "max_length", None) is not None), 10**9)
        if (low, high) != (0, 10**9):
            out[name] = (low, high)
    return out


@cache
def _required(name: str, cls: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(field, member) for each required field of a class that the format has a member for."""
    members = _inverse(name).get(cls.__name__, {})
    return tuple((f, members[f]) for f, info in cls.model_fields.items() if info.is_required() and f in members)


@cache
def _validators(cls: type[BaseModel]) -> bool:
    """Whether a class has field validators of its own (then it is built with validation)."""
    return bool(cls.__pydantic_decorators__.field_validators)


def render(pointer: Pointer) -> str:
    """A pointer as a field path: Rules[2].Destination.Bucket."""
    out = ""
    for part in pointer:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@lru_cache(maxsize=4096)  # a finding asks twice: for its field path and for its place in the file
def to_pointer(loc: Pointer, name: str, root: type[BaseModel] = model.ReplicationConfig) -> Pointer:
    """A model location (field names and indices) in a format's member names."""
    # The names depend on the fields only: one lookup per shape of location (rules[*].id), not per finding.
    names = _names_of(tuple(0 if isinstance(part, int) else part for part in loc), name, root)
    return tuple(part if isinstance(part, int) else member for part, member in zip(loc, names))


@lru_cache(maxsize=1024)
def _names_of(loc: Pointer, name: str, root: type[BaseModel]) -> Pointer:
    inverse, cls, out = _inverse(name), root, []
    # Request members (Bucket, Token...) sit beside the configuration in the --cli-input-json shape.
    request = {f: m for m, f in load(name).raw.get("request", {}).items() if f}
    for part in loc:
        if isinstance(part, int):
            out.append(part)
            continue
        names = {**request, **inverse[cls.__name__]} if cls is model.ReplicationConfig else inverse.get(cls.__name__, {})
        out.append(names.get(part, part))
        kind, target = kinds(cls).get(part, ("str", None))
        cls = target if kind in ("model", "list") else cls
    return tuple(out)


def api_path(loc: Pointer) -> str:
    """A model location as an S3 API field path: Rules[2].Destination.Bucket."""
    return render(to_pointer(loc, "cli-json"))


# --- format data -> model ----------------------------------------------------------------------

_BAD = object()


def to_model(data: Any, cls: type[BaseModel], grammar: Grammar, *, text: bool = False,
             hook: ValueHook | None = None, pointer: Pointer = ()) -> Any:
    """Build a model object from format data (dicts with the format's names); raise InputError listing every problem.

    text=True reads numbers from strings (XML); hook turns non-string values into references.
    """
    problems: list[Diagnostic] = []
    built = _build(data, cls, grammar, pointer, problems, text, hook)
    if problems:
        raise InputError(problems)
    return built


def _describe(value: Any) -> str:
    if isinstance(value, Ref):
        return f"the reference {value.display()} (s3repl does not evaluate it; write the literal)"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _problem(problems: list, pointer: Pointer, message: str, hint: str | None = None, code: str = "input") -> object:
    problems.append(error(code, message, path=render(pointer) or None, hint=hint, pointer=pointer))
    return _BAD


def _build(data, cls, grammar, pointer, problems, text, hook):
    shape = grammar.shapes[cls.__name__]
    if not isinstance(data, dict):
        return _problem(problems, pointer, f"expected an object, got {_describe(data)}")
    values, ok, suggested, field_kinds = {}, True, set(), kinds(cls)
    for key, raw in data.items():
        field_name = shape.get(key)
        if field_name is None:
            close = difflib.get_close_matches(str(key), shape, n=1, cutoff=0.6) or [
                m for m in shape if m.lower() == str(key).lower()]
            hint = f"did you mean {close[0]!r}?" if close else f"allowed here: {', '.join(shape)}"
            suggested.update(close[:1])
            ok = _problem(problems, pointer + (key,), f"unknown member {key!r}", hint, "unknown-member") is not _BAD
            continue
        limit = _limits(cls).get(field_name)
        if limit and isinstance(raw, list) and len(raw) > limit[1]:  # refused before reading (20,000 rules took minutes)
            ok = _problem(problems, pointer + (key,), f"holds {len(raw):,} items; at most {limit[1]:,} allowed") is not _BAD
            continue
        value = _field(raw, field_kinds[field_name], grammar, pointer + (key,), problems, text, hook)
        if value is _BAD:
            ok = False
        else:
            values[field_name] = value
    present = {shape[key] for key in data if key in shape}
    for field_name, member in _required(grammar.name, cls):
        if field_name not in present and member not in suggested:
            ok = _problem(problems, pointer, f"missing required member {member!r}", code="missing-member") is not _BAD
    if not ok:
        return _BAD
    for field_name, (low, high) in _limits(cls).items():
        count = len(values.get(field_name) or ())
        if not low <= count <= high:
            member = _inverse(grammar.name)[cls.__name__][field_name]
            limit = f"at least {low:,}" if count < low else f"at most {high:,}"
            return _problem(problems, pointer + (member,), f"holds {count:,} items; {limit} allowed")
    if not _validators(cls):  # every member was checked above: skip pydantic's validation (and its schema build)
        return cls.model_construct(**values)
    try:
        return cls(**values)
    except ValidationError as exc:
        for err in exc.errors():
            where = err["loc"][:1]
            member = _inverse(grammar.name)[cls.__name__].get(where[0], where[0]) if where else None
            _problem(problems, pointer + ((member,) if member else ()), _message(err))
        return _BAD


def _message(err: dict) -> str:
    """A pydantic error in our words."""
    ctx = err.get("ctx", {})
    if err["type"] in ("too_short", "too_long"):
        limit = f"at least {ctx['min_length']:,}" if err["type"] == "too_short" else f"at most {ctx['max_length']:,}"
        return f"holds {ctx['actual_length']:,} items; {limit} allowed"
    return err["msg"]


def _field(raw, kind: Kind, grammar, pointer, problems, text, hook):
    what, target = kind
    if what == "model":
        return _build(raw, target, grammar, pointer, problems, text, hook)
    if what == "list":
        if not isinstance(raw, list):
            return _problem(problems, pointer, f"expected a list, got {_describe(raw)}")
        items = [_build(item, target, grammar, pointer + (i,), problems, text, hook) for i, item in enumerate(raw)]
        return _BAD if any(item is _BAD for item in items) else tuple(items)
    if what == "value" and hook is not None and not isinstance(raw, str):
        try:
            return hook(raw, pointer)
        except InputError as exc:
            problems.extend(exc.diagnostics)
            return _BAD
    if what == "int":
        if isinstance(raw, str) and text and raw.strip().lstrip("-").isdigit():
            return int(raw)
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        return _problem(problems, pointer, f"expected a whole number, got {_describe(raw)}" + ("" if isinstance(raw, Ref) else f" {raw!r}"))
    if not isinstance(raw, str):
        hint = f'write it as a string: "{raw}"' if isinstance(raw, (int, float)) else None
        return _problem(problems, pointer, f"expected a string, got {_describe(raw)}" + ("" if isinstance(raw, Ref) else f" {raw!r}"), hint)
    if what == "enum" and raw not in target:
        close = [v for v in target if v.lower() == raw.lower()]
        hint = f"did you mean {close[0]!r}?" if close else None
        allowed = ", ".join(repr(v) for v in target)
        return _problem(problems, pointer, f"{raw!r} is not allowed; allowed values: {allowed}", hint, "enum")
    return raw


# --- model -> format data ----------------------------------------------------------------------

def from_model(obj: BaseModel, grammar: Grammar, *, hook: ValueHook | None = None, pointer: Pointer = ()) -> dict:
    """Format data (dicts in the grammar's member order) for a model object; references go through hook."""
    out = {}
    for member, field_name in grammar.shapes[type(obj).__name__].items():
        value = getattr(obj, field_name)
        if value is None:
            continue
        where = pointer + (member,)
        if isinstance(value, BaseModel) and not isinstance(value, Ref):
            out[member] = from_model(value, grammar, hook=hook, pointer=where)
        elif isinstance(value, tuple):
            out[member] = [from_model(v, grammar, hook=hook, pointer=where + (i,)) for i, v in enumerate(value)]
        elif isinstance(value, Ref):
            if hook is None:
                raise Refusal(error("unresolved-reference", f"{value.display()} is a reference; {grammar.name} needs a literal",
                                    path=render(where), hint=f"pass --var {value.display()}=VALUE"))
            out[member] = hook(value, where)
        else:
            out[member] = value
    return out
