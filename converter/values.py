"""Literal values versus references (Terraform expressions, CloudFormation intrinsics)."""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict

RefKind = Literal[
    "resource",  # an attribute of a resource: aws_s3_bucket.dest.arn, !GetAtt Dest.Arn, !Ref Dest
    "parameter",  # a CloudFormation Parameter
    "variable",  # a Terraform var.x
    "local",  # a Terraform local.x
    "pseudo",  # AWS::AccountId, AWS::Region, AWS::Partition
    "import",  # !ImportValue
    "template",  # an interpolated string: parts are literals and references
    "expression",  # anything else, kept opaque with its source text
]


class Ref(BaseModel):
    """A value that points at something else instead of holding a literal."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: RefKind
    target: str = ""  # resource address or logical ID, parameter, variable or local name
    attribute: str | None = None  # arn, id, bucket, Arn ...
    resource_type: str | None = None  # aws_s3_bucket, AWS::S3::Bucket ...
    parts: tuple[Union[str, "Ref"], ...] | None = None  # for kind == "template"
    text: str | None = None  # source text, for kind == "expression"
    default: str | None = None  # a literal the source itself defines (a default, a literal name)

    def display(self) -> str:
        """The reference as one readable token; also the NAME of --var NAME=VALUE."""
        if self.kind == "template":
            return "".join(p if isinstance(p, str) else "${" + p.display() + "}" for p in self.parts or ())
        if self.kind == "expression":
            return self.text or self.target
        return self.target + (f".{self.attribute}" if self.attribute else "")


Value = Union[str, Ref]


def unresolved(value: Value) -> list[Ref]:
    """The references inside a value that hold no literal default."""
    if isinstance(value, str):
        return []
    if value.kind == "template":
        return [ref for part in value.parts or () for ref in unresolved(part)]
    return [] if value.default is not None else [value]


def resolve(value: Value, variables: dict[str, str]) -> Value:
    """The literal a value stands for, given --var values; the value itself when unknown."""
    if isinstance(value, str):
        return value
    if value.display() in variables:
        return variables[value.display()]
    if value.kind == "template":
        parts = [resolve(p, variables) for p in value.parts or ()]
        if all(isinstance(p, str) for p in parts):
            return "".join(parts)
        return value.model_copy(update={"parts": tuple(parts)})
    return value.default if value.default is not None else value


def resolve_all(obj: BaseModel, variables: dict[str, str], loc: tuple = ()) -> tuple[BaseModel, list[tuple[tuple, Ref]]]:
    """A model object with every reference resolved that can be, and the (location, reference) pairs left."""
    updates, left = {}, []
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        if isinstance(value, Ref):
            updates[name] = resolve(value, variables)
            left += [(loc + (name,), ref) for ref in unresolved(updates[name])]
        elif isinstance(value, BaseModel):
            updates[name], more = resolve_all(value, variables, loc + (name,))
            left += more
        elif isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
            items = []
            for i, item in enumerate(value):
                new, more = resolve_all(item, variables, loc + (name, i))
                items.append(new)
                left += more
            updates[name] = value if all(a is b for a, b in zip(items, value)) else tuple(items)
    changed = {k: v for k, v in updates.items() if v is not getattr(obj, k) and v != getattr(obj, k)}
    return (obj.model_copy(update=changed) if changed else obj), left
