"""The no-silent-loss mechanism: what a target format cannot hold, found from its grammar and its writer."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from . import grammar
from .errors import Diagnostic, error
from .model import ReplicationConfig

_KEEP = object()


@dataclass(frozen=True)
class Loss:
    """A field (model location) a target format cannot hold, and why; replacement is what it would become."""

    loc: tuple
    reason: str
    replacement: object = _KEEP  # _KEEP: the field is dropped

    def diagnostic(self, fmt: str, lossy_allowed: bool) -> Diagnostic:
        """The loss as an error (refused) or a warning (written without it, or changed)."""
        action = ("dropped" if self.replacement is _KEEP else "changed") if lossy_allowed else "cannot be written"
        return error("lossy", f"{action}: {self.reason}", severity="warning" if lossy_allowed else "error",
                     path=grammar.api_path(self.loc), hint=None if lossy_allowed else f"{fmt} cannot hold it; "
                     "pass --allow-lossy to write without it")


def leaves(obj: BaseModel, loc: tuple = ()):
    """Every value below a model object that is not itself a model object: (location, value)."""
    from .values import Ref

    for name in type(obj).model_fields:
        value = getattr(obj, name)
        if isinstance(value, BaseModel) and not isinstance(value, Ref):
            yield from leaves(value, loc + (name,))
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                yield from leaves(item, loc + (name, index))
        elif value is not None:
            yield loc + (name,), value


def describe(gap: dict) -> str:
    """A declared gap as one line: its S3 API path (Rules[].X) and the reason."""
    loc = tuple(p for part in gap["path"].split(".") for p in ((part[:-2], 0) if part.endswith("[]") else (part,)))
    value = f"value other than {', '.join(gap['allowed'])}" if "allowed" in gap else "value"
    return f"{grammar.api_path(loc).replace('[0]', '[]')}: {gap['reason'].format(value=value)}"


def _get(obj, dotted: str):
    """The value at a dotted path under obj, or None when any step is missing."""
    for name in dotted.split("."):
        obj = getattr(obj, name, None)
    return obj


def _matches(obj, parts: list[str], loc: tuple):
    """Model locations matching a pattern like rules[].destination.storage_class, with their values."""
    if not parts:
        yield loc, obj
        return
    head, rest = parts[0], parts[1:]
    many = head.endswith("[]")
    value = getattr(obj, head.removesuffix("[]"), None)
    if value is None:
        return
    if many:
        for i, item in enumerate(value):
            yield from _matches(item, rest, loc + (head[:-2], i))
    else:
        yield from _matches(value, rest, loc + (head,))


def losses(config: ReplicationConfig, fmt: str, options) -> list[Loss]:
    """Every field of a configuration that the target format cannot hold."""
    from .formats import module

    found = []
    for gap in grammar.load(fmt).cannot_express:
        if gap.get("unless_option") == f"shape={getattr(options, 'shape', '')}":
            continue
        allowed, needed = gap.get("allowed"), gap.get("when_missing")
        for loc, value in _matches(config, gap["path"].split("."), ()):
            if needed is not None and _get(value, needed) is not None:
                continue
            if allowed is None or value not in allowed:
                found.append(Loss(loc, gap["reason"].format(value=value)))
    # A Terraform module's expansion is lost only when written back to Terraform (the Terraform writers declare it).
    if config.evaluated and fmt != "model" and not config.evaluated.startswith("Terraform: "):
        found.append(Loss(("evaluated",), f"the input was evaluated ({config.evaluated}): {fmt} gets the values "
                          "chosen, not the conditions and parameters that chose them"))
    extra = getattr(module(fmt), "losses", None)
    return found + around_losses(config, fmt) + (extra(config, options) if extra else [])


# What surrounds the configuration (model.Around) that each format writes back; the model format keeps everything.
_TERRAFORM = {"terraform": {"provider", "depends_on", "lifecycle"}}
CARRIED = {"terraform": _TERRAFORM, "terraform-json": _TERRAFORM, "terraform-legacy": {"terraform": {"provider"}},
           "cloudformation": {"cloudformation": {"DeletionPolicy", "UpdateReplacePolicy"}},
           "cloudformation-json": {"cloudformation": {"DeletionPolicy", "UpdateReplacePolicy"}}}


def carried(item, fmt: str) -> bool:
    """Whether a format writes back a meta-argument or resource attribute (model.Around)."""
    return fmt == "model" or item.name in CARRIED.get(fmt, {}).get(item.language, ())


def around_losses(config: ReplicationConfig, fmt: str) -> list[Loss]:
    """Meta-arguments and resource attributes the target has no equivalent for, each named."""
    kind = {"terraform": "Terraform meta-argument", "cloudformation": "CloudFormation resource attribute"}
    return [Loss(("around", index), f"the {kind[item.language]} {item.name} = {item.value} has no equivalent in {fmt}")
            for index, item in enumerate(config.around or ()) if not carried(item, fmt)]


def apply_all(config: ReplicationConfig, found: list[Loss]) -> ReplicationConfig:
    """The configuration with every loss applied: from the last, so that dropping a list item moves none before it,
    and a whole rule (terraform-legacy's set) after the losses of its fields."""
    for loss in sorted(reversed(found), key=lambda loss: loss.loc[:1] == ("rules",) and len(loss.loc) == 2):
        config = apply(config, loss)
    return config


def apply(config: ReplicationConfig, loss: Loss) -> ReplicationConfig:
    """The configuration with a loss applied: the field changed to its replacement, or dropped.

    A required field is dropped with the optional block (or list item) around it.
    """
    if loss.replacement is not _KEEP:
        return _set(config, loss.loc, loss.replacement)
    loc = loss.loc
    while len(loc) > 1 and not isinstance(loc[-1], int) and _required(config, loc):
        loc = loc[:-1]
    if not isinstance(loc[-1], int) and _required(config, loc):
        return config  # a required member of the configuration itself: no gap declares one
    return _set(config, loc, None)


def _required(config: BaseModel, loc: tuple) -> bool:
    obj = config
    for part in loc[:-1]:
        obj = obj[part] if isinstance(part, int) else getattr(obj, part, None)
        if obj is None:
            return False
    return type(obj).model_fields[loc[-1]].is_required()


def _set(obj: BaseModel, loc: tuple, value) -> BaseModel:
    """A copy of a model object with the field at a location set (None drops it, or its list item)."""
    head, rest = loc[0], loc[1:]
    if not rest:
        return obj.model_copy(update={head: value})
    current = getattr(obj, head)
    if current is None:  # already dropped with a field around it
        return obj
    if isinstance(rest[0], int):
        index, rest = rest[0], rest[1:]
        items = list(current)
        if index >= len(items):
            return obj
        items[index] = _set(items[index], rest, value) if rest else value
        kept = tuple(i for i in items if i is not None)
        return obj.model_copy(update={head: kept or (None if head == "around" else kept)})
    return obj.model_copy(update={head: _set(current, rest, value)})
