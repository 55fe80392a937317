"""Terraform's values and type conversions, as HashiCorp's go-cty library defines them.

Numbers are int when integral, else fractions.Fraction (Terraform numbers are arbitrary precision:
`0.1 + 0.2` is exactly 0.3). Sets are TfSet, a tuple in Terraform's order. Objects and maps are dicts
with sorted keys, as Terraform iterates them. Unknown values are converter.values.Ref.
https://developer.hashicorp.com/terraform/language/expressions/type-constraints
"""

from __future__ import annotations

import json
import re
from decimal import Context, Decimal
from fractions import Fraction

from ..values import Ref

_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z")
MAX_EXPONENT = 4000  # a bigger literal is refused: hostile input must not exhaust memory


class FunctionError(ValueError):
    """A function or conversion refused its arguments (the evaluator adds the location)."""


class TfSet(tuple):
    """A Terraform set: distinct elements in Terraform's order (strings and numbers sorted)."""

    def __new__(cls, items=()):
        unique = {}
        for item in items:
            unique.setdefault(_key(item), item)
        return super().__new__(cls, sorted(unique.values(), key=_order))

    def __eq__(self, other):
        return isinstance(other, TfSet) and tuple(self) == tuple(other)

    __hash__ = tuple.__hash__


def _order(value) -> tuple:
    if isinstance(value, bool):
        return (0, value)
    if is_number(value):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, _key(value))


def _key(value) -> str:
    return encode(value) if not has_unknown(value) else repr(value)


# --- kinds and conversions -----------------------------------------------------------------------

def is_number(value) -> bool:
    """Whether a value is a Terraform number."""
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def is_list(value) -> bool:
    """Whether a value is a list, tuple or set."""
    return isinstance(value, (list, tuple))


def has_unknown(value) -> bool:
    """Whether a value is or contains an unknown (a Ref)."""
    if isinstance(value, Ref):
        return True
    if isinstance(value, dict):
        return any(has_unknown(v) for v in value.values())
    return is_list(value) and any(has_unknown(v) for v in value)


def number(text: str) -> int | Fraction:
    """A number from its decimal text; int when integral."""
    if not _NUMBER.match(text):
        raise FunctionError(f"cannot convert {text!r} to number: a decimal representation of a number is required")
    mantissa, _, exponent = text.lower().partition("e")
    if exponent and abs(int(exponent)) > MAX_EXPONENT:
        raise FunctionError(f"the number {text[:40]} is too large")
    return normal(Fraction(text))


def normal(value: Fraction) -> int | Fraction:
    """A number as int when integral."""
    return int(value) if isinstance(value, int) or value.denominator == 1 else value


def to_number(value) -> int | Fraction:
    """A value as a number, converting strings as Terraform does."""
    if is_number(value):
        return value
    if isinstance(value, str):
        return number(value)
    raise FunctionError(f"a number is required, not {kind(value)}")


def to_string(value) -> str:
    """A primitive value as a string, as Terraform converts it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_text(value)
    raise FunctionError(f"a string is required, not {kind(value)}")


def to_bool(value) -> bool:
    """A value as a bool ("true"/"false" convert)."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false", "1", "0"):  # cty converts "1" and "0" too
        return value in ("true", "1")
    raise FunctionError(f"a bool is required, not {kind(value)}")


def to_int(value) -> int:
    """A whole number."""
    value = to_number(value)
    if not isinstance(value, int):
        raise FunctionError(f"a whole number is required, not {number_text(value)}")
    return value


def to_list(value, what: str = "list") -> list:
    """A list, tuple or set as a Python list."""
    if is_list(value):
        return list(value)
    raise FunctionError(f"a {what} is required, not {kind(value)}")


def to_map(value) -> dict:
    """An object or map."""
    if isinstance(value, dict):
        return value
    raise FunctionError(f"a map is required, not {kind(value)}")


def kind(value) -> str:
    """Terraform's name for the type of a value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, TfSet):
        return "set"
    return "tuple" if is_list(value) else "object"


def type_of(value):
    """A value's type: "string", "number", "bool", None (null: any), ("tuple", [types]), ("set", [types]),
    ("object", {key: type}); unknowns count as any."""
    if value is None or isinstance(value, Ref):
        return None
    if isinstance(value, dict):
        return ("object", {k: type_of(v) for k, v in value.items()})
    if is_list(value):
        return ("set" if isinstance(value, TfSet) else "tuple", [type_of(v) for v in value])
    return kind(value)


def common_type(types: list):
    """The type values of these types all convert to, as Terraform unifies them (cty's convert.Unify).

    Identical types stay; string absorbs number and bool; tuples become a list and objects a map of their elements'
    common type. https://developer.hashicorp.com/terraform/language/expressions/type-constraints#conversion-of-primitive-types
    """
    known = [t for t in types if t is not None]
    if not known or all(t == known[0] for t in known):
        return known[0] if known else None
    shapes = {t if isinstance(t, str) else t[0] for t in known}
    if shapes <= {"string", "number", "bool"}:
        if "string" not in shapes:
            raise FunctionError("all values must have the same type: number and bool do not convert to each other")
        return "string"
    if shapes == {"object"} and all(set(t[1]) == set(known[0][1]) for t in known):  # same attributes: each unified
        return ("object", {k: common_type([t[1][k] for t in known]) for k in known[0][1]})
    elements = [e for t in known if not isinstance(t, str) for e in _elements(t)]
    if shapes <= {"tuple", "list", "set"}:
        return ("list", common_type(elements))
    if shapes <= {"object", "map"}:
        return ("map", common_type(elements))
    raise FunctionError(f"all values must have the same type, not {' and '.join(sorted(shapes))}")


def _elements(t) -> list:
    if t[0] in ("list", "map"):
        return [t[1]]
    return list(t[1].values()) if t[0] == "object" else list(t[1])


def convert(value, target):
    """A value converted to a type common_type gave (a string, or a list or map whose elements convert)."""
    if value is None or target is None or isinstance(value, Ref):
        return value
    if target == "string":
        return to_string(value)
    if isinstance(target, tuple) and target[0] == "list" and is_list(value):
        return type(value)(convert(v, target[1]) for v in value) if isinstance(value, TfSet) else \
            [convert(v, target[1]) for v in value]
    if isinstance(target, tuple) and target[0] == "object" and isinstance(value, dict):
        return {k: convert(v, target[1].get(k)) for k, v in value.items()}
    if isinstance(target, tuple) and target[0] == "map" and isinstance(value, dict):
        return {k: convert(v, target[1]) for k, v in value.items()}
    return value


def unify(items: list) -> list:
    """Elements of one type for a list, set or map: mixed primitives become strings, as Terraform converts them."""
    target = common_type([type_of(v) for v in items])
    return [convert(v, target) for v in items]


def sorted_map(pairs) -> dict:
    """A dict in Terraform's order (keys sorted)."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return dict(sorted(items, key=lambda kv: kv[0]))


def number_text(value) -> str:
    """A number as Terraform writes it: no exponent, no trailing zeros."""
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:
            raise FunctionError("the number is too large to write") from None
    context = Context(prec=60)
    return format(context.normalize(context.divide(Decimal(value.numerator), Decimal(value.denominator))), "f")


def equal(a, b) -> bool:
    """Terraform's ==: values of different types are never equal (1 == "1" is false)."""
    if kind(a) != kind(b) and not (is_list(a) and is_list(b) and not isinstance(a, TfSet)
                                   and not isinstance(b, TfSet)):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if is_list(a):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    return a == b


def encode(value) -> str:
    """JSON text as Terraform's jsonencode writes it (sorted keys, <>& escaped as Go does)."""
    if value is None or isinstance(value, (bool, str)):
        text = json.dumps(value, ensure_ascii=False)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if is_number(value):
        return number_text(value)
    if isinstance(value, dict):
        return "{" + ",".join(encode(k) + ":" + encode(v) for k, v in sorted_map(value).items()) + "}"
    if is_list(value):
        return "[" + ",".join(encode(v) for v in value) + "]"
    raise FunctionError(f"cannot encode {kind(value)}")


def _not_json(constant: str):
    raise FunctionError(f"invalid JSON: {constant} is not a JSON value")


def decode(text: str):
    """A value from JSON text (objects with sorted keys, exact numbers)."""
    try:
        return json.loads(text, parse_float=number, parse_int=number, object_pairs_hook=sorted_map,
                          parse_constant=_not_json)
    except json.JSONDecodeError as exc:
        raise FunctionError(f"invalid JSON: {exc.msg} at character {exc.pos}") from None
