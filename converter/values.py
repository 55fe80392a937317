"""Literal values versus references (Terraform expressions, CloudFormation intrinsics)."""

from __future__ import annotations

from typing import Callable, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict

RefKind = Literal[
    "resource",  # an attribute of a resource: aws_s3_bucket.dest.arn, !GetAtt Dest.Arn, !Ref Dest
    "parameter",  # a CloudFormation Parameter
    "variable",  # a Terraform var.x
    "local",  # a Terraform local.x
    "pseudo",  # AWS::AccountId, AWS::Region, AWS::Partition
    "import",  # !ImportValue of a literal export name
    "template",  # an interpolated string: parts are literals and references
    "expression",  # anything else, kept opaque with its source text
]


class Ref(BaseModel):
    """A value that points at something else instead of holding a literal."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    kind: RefKind
    # As written in its language: a logical ID or parameter name (CloudFormation), an address such as
    # aws_s3_bucket.dest, var.x or local.y (Terraform), a pseudo parameter, an export name.
    target: Optional[str] = None
    attribute: Optional[str] = None  # Arn (GetAtt), arn, id, bucket ...
    resource_type: Optional[str] = None  # AWS::S3::Bucket, aws_iam_role ...
    parts: Optional[tuple[Union[str, "Ref"], ...]] = None  # kind == "template"
    text: Optional[str] = None  # kind == "expression": the source text (intrinsics as JSON)
    language: Optional[Literal["cloudformation", "terraform"]] = None  # where an expression came from
    default: Optional[Union[str, "Ref"]] = None  # what the source itself says it is (a default, a literal name)

    def display(self) -> str:
        """The reference as one readable token; also the NAME of --var NAME=VALUE."""
        if self.kind == "template":
            return "".join(p if isinstance(p, str) else "${" + p.display() + "}" for p in self.parts or ())
        if self.kind == "expression":
            return self.text or self.target or ""
        return (self.target or "") + (f".{self.attribute}" if self.attribute else "")


Value = Union[str, Ref]


def template(parts: list) -> Value:
    """An interpolated string from parts, adjacent literals merged; a plain string when nothing is a reference."""
    merged: list = []
    for part in parts:
        if isinstance(part, Ref) and part.kind == "template":
            part_list = list(part.parts or ())
        else:
            part_list = [part]
        for piece in part_list:
            if isinstance(piece, str) and merged and isinstance(merged[-1], str):
                merged[-1] += piece
            elif piece != "":
                merged.append(piece)
    if all(isinstance(p, str) for p in merged):
        return "".join(merged)
    if len(merged) == 1:  # "${x}" is x
        return merged[0]
    return Ref(kind="template", parts=tuple(merged))


def unresolved(value: Value) -> list[Ref]:
    """The references inside a value that nothing resolves."""
    if isinstance(value, str):
        return []
    if value.kind == "template":
        return [ref for part in value.parts or () for ref in unresolved(part)]
    return [value] if value.default is None else unresolved(value.default)


def resolve(value: Value, variables: dict[str, str]) -> Value:
    """The literal a value stands for, given --var values and the defaults the source defines."""
    if isinstance(value, str):
        return value
    if value.display() in variables:
        return variables[value.display()]
    if value.kind == "template":
        return template([resolve(p, variables) for p in value.parts or ()])
    if value.default is not None:
        resolved = resolve(value.default, variables)
        return resolved if isinstance(resolved, str) else value
    return value


def resolve_all(obj: BaseModel, variables: dict[str, str], name_of: Callable[[tuple], str],
                loc: tuple = ()) -> tuple[BaseModel, list[tuple[tuple, Ref]]]:
    """A model object with every reference resolved that can be, and the (location, reference) pairs left.

    A --var NAME may be the reference's display name or the field path (name_of(location)).
    """
    updates, left = {}, []
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        if isinstance(value, Ref):
            by_path = variables.get(name_of(loc + (name,)))
            updates[name] = by_path if by_path is not None else resolve(value, variables)
            left += [(loc + (name,), ref) for ref in unresolved(updates[name])]
        elif isinstance(value, BaseModel):
            updates[name], more = resolve_all(value, variables, name_of, loc + (name,))
            left += more
        elif isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
            items = []
            for i, item in enumerate(value):
                new, more = resolve_all(item, variables, name_of, loc + (name, i))
                items.append(new)
                left += more
            updates[name] = value if all(a is b for a, b in zip(items, value)) else tuple(items)
    changed = {k: v for k, v in updates.items() if v is not getattr(obj, k) and v != getattr(obj, k)}
    return (obj.model_copy(update=changed) if changed else obj), left


def stored_reference(text: object, where: str) -> Ref:
    """A reference s3repl stored as JSON (template Metadata, a variable description); a clear error when damaged."""
    from pydantic import ValidationError

    from .errors import InputError, error

    try:
        return Ref.model_validate_json(text) if isinstance(text, str) else Ref.model_validate(text)
    except (ValidationError, ValueError):
        raise InputError(error("stand-in", "not a reference s3repl wrote: damaged, or edited by hand", path=where,
                               hint="restore it, or remove it and the reference becomes the plain parameter")) from None
