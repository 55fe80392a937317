"""Terraform's built-in functions: a table of name -> callable over cty values.

https://developer.hashicorp.com/terraform/language/functions
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import math
import re
import unicodedata
from decimal import Context, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable

from .cty import FunctionError, TfSet, decode, encode, equal, is_list, normal, sorted_map, to_bool, to_int, to_list, to_map, to_number, to_string, unify

# Values and conversions moved to cty; these names stay importable from here for the module reader.
from .cty import has_unknown as has_unknown
from .cty import is_number as is_number
from .cty import number_text as number_text

# --- format --------------------------------------------------------------------------------------

# https://developer.hashicorp.com/terraform/language/functions/format
_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+)?(?:\.(\d+))?(.)", re.S)


def format_(spec: str, *args) -> str:
    """Terraform's format: Go-like verbs %s %d %q %v %#v %t %f %e %g %x %X %o %b %%."""
    out, pos, next_arg = [], 0, 0
    for match in _VERB.finditer(spec):
        out.append(spec[pos:match.start()])
        pos = match.end()
        index, flags, width, precision, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        next_arg = int(index) - 1 if index else next_arg
        if next_arg >= len(args):
            raise FunctionError(f"not enough arguments for %{verb} at {match.start()}")
        text = _verb(verb, flags, precision, args[next_arg])
        next_arg += 1
        if width:
            pad = " " if "0" not in flags or "-" in flags else "0"
            text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), pad)
        out.append(text)
    out.append(spec[pos:])
    if "%" in spec[pos:]:
        raise FunctionError("unterminated format verb")
    return "".join(out)


def _verb(verb: str, flags: str, precision: str | None, value) -> str:
    sign = "+" if "+" in flags else ""
    if verb == "v":
        if "#" in flags:
            return encode(value)
        return encode(value) if value is None or isinstance(value, (dict, list, tuple)) else to_string(value)
    if value is None:
        raise FunctionError(f"unsupported value for %{verb}: null")
    if verb == "s":
        text = to_string(value)
        return text[:int(precision)] if precision else text
    if verb == "q":
        return encode(to_string(value))
    if verb == "t":
        return "true" if to_bool(value) else "false"
    if verb in "dbox" or (verb == "X" and not isinstance(value, str)):
        if verb in "xX" and isinstance(value, str):
            return value.encode().hex()
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb, "") if "#" in flags else ""  # Go's %#x
        number = to_int(value)
        return ("-" if number < 0 else sign if verb == "d" else "") + prefix + format(abs(number), verb)
    if verb in "eEfFgG":
        num = Context(prec=60).divide(Decimal(Fraction(to_number(value)).numerator),
                                      Decimal(Fraction(to_number(value)).denominator))
        if verb in "gG":
            return format(float(num), sign + (f".{precision}" if precision else "") + verb.lower())
        text = format(num, sign + "." + (precision or "6") + verb)
        return re.sub(r"([eE][-+])(\d)\Z", r"\g<1>0\2", text)  # Go writes at least two exponent digits
    raise FunctionError(f"unsupported format verb %{verb}")


# --- functions -----------------------------------------------------------------------------------

def _lookup(mapping, key, *default):
    mapping, key = to_map(mapping), to_string(key)
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise FunctionError(f"the given key {key!r} does not exist in the map and no default was given")


def _coalesce(*args):
    for arg in unify(list(args)):  # coalesce(1, "a") is "1": the arguments convert to one type
        if arg is not None and arg != "":
            return arg
    raise FunctionError("no non-null, non-empty-string arguments")


def _coalescelist(*args):
    lists = [to_list(arg) for arg in args]  # every argument is checked, not only those before the pick
    for items in lists:
        if items:
            return items
    raise FunctionError("no non-null arguments")


def _element(items, index):
    items, index = to_list(items), to_int(index)
    if not items:
        raise FunctionError("cannot use element function with an empty list")
    if index < 0:
        raise FunctionError("cannot use element function with a negative index")
    return items[index % len(items)]


def _flatten(items):
    out = []
    for item in to_list(items):
        out += _flatten(item) if is_list(item) else [item]
    return out


def _distinct(items):
    out = []
    for item in to_list(items):
        if not any(equal(item, seen) for seen in out):
            out.append(item)
    return out


def _sequence(value) -> list:
    if isinstance(value, TfSet):  # concat takes lists and tuples only
        raise FunctionError("all arguments must be lists or tuples; got set")
    return to_list(value)


def _join(sep, first, *lists):  # at least one list
    parts = [v for items in (first, *lists) for v in to_list(items)]
    if any(v is None for v in parts):
        raise FunctionError("a null value cannot be joined")
    return to_string(sep).join(to_string(v) for v in parts)


def _one(items):
    items = to_list(items)
    if len(items) > 1:
        raise FunctionError(f"must be a list, set, or tuple value with either zero or one elements, not {len(items)}")
    return items[0] if items else None


REGEX_SECONDS = 1.0  # Go's RE2 runs in linear time; Python's engine backtracks: a hostile pattern is stopped


def _go_regex(pattern: str):
    """A Go RE2 pattern compiled for the regex module: (?P<name>) is shared, \\z is its \\Z."""
    import regex  # python-hcl2 depends on it; it has timeouts and grapheme clusters, re has neither

    try:
        return regex.compile(pattern.replace("\\z", "\\Z"))
    except regex.error as exc:
        raise FunctionError(f"invalid regular expression: {exc}") from None


def _timed(call):
    """A regular expression call, refused when it runs longer than REGEX_SECONDS."""
    try:
        return call()
    except TimeoutError:
        raise FunctionError(f"the regular expression ran longer than {REGEX_SECONDS} s") from None


def _replace(text, old, new):
    text, old, new = to_string(text), to_string(old), to_string(new)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        template = re.sub(r"\$\{?(\w+)\}?", lambda m: "\\g<" + m.group(1) + ">", new.replace("\\", "\\\\"))
        return _timed(lambda: _go_regex(old[1:-1]).sub(template, text, timeout=REGEX_SECONDS))
    return text.replace(old, new)


def _match_value(match):
    if match.re.groupindex:
        return sorted_map({name: match.group(name) or "" for name in match.re.groupindex})
    if match.re.groups:
        return [g or "" for g in match.groups()]
    return match.group()


def _regex(pattern, text):
    match = _timed(lambda: _go_regex(to_string(pattern)).search(to_string(text), timeout=REGEX_SECONDS))
    if not match:
        raise FunctionError("pattern did not match any part of the given string")
    return _match_value(match)


def _regexall(pattern, text):
    found = _go_regex(to_string(pattern)).finditer(to_string(text), timeout=REGEX_SECONDS)
    return _timed(lambda: [_match_value(m) for m in found])


def _substr(text, offset, length):
    chars, offset, length = graphemes(to_string(text)), to_int(offset), to_int(length)
    if offset < 0:
        offset = max(len(chars) + offset, 0)
    end = len(chars) if length < 0 else offset + length
    return "".join(chars[offset:end])


def graphemes(text: str) -> list[str]:
    """A string's user-perceived characters (Unicode grapheme clusters), as Terraform counts them."""
    import regex

    return regex.findall(r"\X", unicodedata.normalize("NFC", text))


def _range(*args):
    if not 1 <= len(args) <= 3:
        raise FunctionError("must have one, two, or three arguments")
    nums = [to_number(a) for a in args]
    start, limit = (0, nums[0]) if len(nums) == 1 else (nums[0], nums[1])
    step = nums[2] if len(nums) == 3 else 1 if start <= limit else -1  # counting down when start > limit
    if step == 0:
        raise FunctionError("step must not be zero")
    if (limit - start) * step < 0:
        return []
    count = math.ceil((limit - start) / step)
    if count > 1024:  # https://developer.hashicorp.com/terraform/language/functions/range
        raise FunctionError("more than 1024 values were generated; either decrease the difference "
                            "between start and end or use a smaller step")
    return [normal(Fraction(start + i * step)) for i in range(count)]


def _sort(items):
    strings = [to_string(v) for v in to_list(items)]
    return sorted(strings)


def _tolist(value):
    return unify(to_list(value))


def _tomap(value):
    mapping = to_map(value)
    return sorted_map(zip(mapping, unify(list(mapping.values()))))


def _keys(value):
    return list(sorted_map(to_map(value)))


def _values(value):
    return list(sorted_map(to_map(value)).values())


def _zipmap(keys, values):
    keys, values = to_list(keys), to_list(values)
    if len(keys) != len(values):
        raise FunctionError(f"number of keys ({len(keys)}) does not match number of values ({len(values)})")
    return sorted_map({to_string(k): v for k, v in zip(keys, values)})


def _merge(*maps):
    out = {}
    for mapping in maps:
        out.update(to_map(mapping) if mapping is not None else {})
    return sorted_map(out)


def _each_rune(text: str, case) -> str:
    """Go's case mapping: one character for one (upper("ß") stays "ß", where Python writes "SS")."""
    return "".join(mapped if len(mapped := case(c)) == 1 else c for c in text)


def _title(text):
    return re.sub(r"(?<!\w)\w", lambda m: _each_rune(m.group(), str.upper), to_string(text))


def _chunk(items, size):
    items, size = to_list(items), to_int(size)
    if size < 0:
        raise FunctionError("the size argument must be positive")
    return [items[i:i + size] for i in range(0, len(items), size)] if size else [items]


def _index(items, value):
    for i, item in enumerate(to_list(items)):
        if equal(item, value):
            return i
    raise FunctionError("item not found")


def _slice(items, start, end):
    items, start, end = to_list(items), to_int(start), to_int(end)
    if not 0 <= start <= end <= len(items):
        raise FunctionError(f"invalid slice indices {start}, {end} for {len(items)} elements")
    return items[start:end]


def _minmax(pick):
    def call(*args):
        if not args:
            raise FunctionError("must pass at least one number")
        return pick(to_number(a) for a in args)
    return call


def _digest(name):
    return lambda text: hashlib.new(name, to_string(text).encode()).hexdigest()


def _base64decode(text):
    try:
        return base64.b64decode(to_string(text), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise FunctionError("the given value is not valid base64 of UTF-8 text") from None


def _string(fn, count: int = 1):
    """A function of count strings (arguments converted to strings)."""
    def call(*args):
        return fn(*[to_string(a) for a in args])
    call.arity = (count, count)
    return call


def _tonumber(value):
    return None if value is None else to_number(value)


def _tostring(value):
    return None if value is None else to_string(value)


def _tobool(value):
    return None if value is None else to_bool(value)


def _parseint(text, base):
    text, base = to_string(text), to_int(base)
    if not 2 <= base <= 36:  # Terraform allows 62, with upper-case digits above 36: not supported here
        raise FunctionError(f"the base must be between 2 and 36, not {base}")
    try:
        return int(text, base)
    except ValueError:
        raise FunctionError(f"cannot parse {text!r} as a base {base} integer") from None


def _sum(items):
    items = to_list(items)
    if not items:
        raise FunctionError("cannot sum an empty list")
    return normal(sum((Fraction(to_number(v)) for v in items), Fraction(0)))


def _trim(text, chars):
    return to_string(text).strip(to_string(chars))


def _setop(op):
    def call(first, *rest):
        out = list(to_list(first))
        for other in rest:
            other = to_list(other)
            out = op(out, other)
        return TfSet(unify(out))
    return call


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": lambda n: abs(to_number(n)),
    "alltrue": lambda items: all(to_bool(v) for v in to_list(items)),
    "anytrue": lambda items: any(to_bool(v) for v in to_list(items)),
    "base64decode": _base64decode,
    "base64encode": lambda text: base64.b64encode(to_string(text).encode()).decode(),
    "ceil": lambda n: math.ceil(to_number(n)),
    "chomp": _string(lambda t: re.sub(r"(\r\n|\n|\r)+\Z", "", t)),
    "chunklist": _chunk,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "compact": lambda items: [to_string(v) for v in to_list(items) if v is not None and v != ""],
    "concat": lambda *lists: [v for items in lists for v in _sequence(items)],
    "contains": lambda items, value: any(equal(v, value) for v in to_list(items)),
    "distinct": _distinct,
    "element": _element,
    "endswith": _string(lambda t, s: t.endswith(s), 2),
    "flatten": _flatten,
    "floor": lambda n: math.floor(to_number(n)),
    "format": lambda spec, *args: format_(to_string(spec), *args),
    "formatlist": None,  # filled below: it calls format per element
    "index": _index,
    "join": _join,
    "jsondecode": lambda text: decode(to_string(text)),
    "jsonencode": encode,
    "keys": _keys,
    "length": lambda v: len(graphemes(v)) if isinstance(v, str) else len(to_list(v) if is_list(v) else to_map(v)),
    "lookup": _lookup,
    "lower": _string(lambda t: _each_rune(t, str.lower)),
    "max": _minmax(max),
    "md5": _digest("md5"),
    "merge": _merge,
    "min": _minmax(min),
    "nonsensitive": lambda v: v,
    "one": _one,
    "parseint": _parseint,
    "range": _range,
    "regex": _regex,
    "regexall": _regexall,
    "replace": _replace,
    "reverse": lambda items: list(reversed(to_list(items))),
    "sensitive": lambda v: v,
    "setintersection": _setop(lambda a, b: [v for v in a if any(equal(v, w) for w in b)]),
    "setsubtract": lambda a, b: _setop(lambda x, y: [v for v in x if not any(equal(v, w) for w in y)])(a, b),
    "setunion": _setop(lambda a, b: a + b),
    "sha1": _digest("sha1"),
    "sha256": _digest("sha256"),
    "sha512": _digest("sha512"),
    "signum": lambda n: (to_int(n) > 0) - (to_int(n) < 0),  # Terraform takes whole numbers only
    "slice": _slice,
    "sort": _sort,
    "split": lambda sep, text: to_string(text).split(to_string(sep)) if to_string(sep) else list(to_string(text)),
    "startswith": _string(lambda t, s: t.startswith(s), 2),
    "strrev": _string(lambda t: t[::-1]),
    "substr": _substr,
    "sum": _sum,
    "title": _title,
    "tobool": _tobool,
    "tolist": _tolist,
    "tomap": _tomap,
    "tonumber": _tonumber,
    "toset": lambda value: TfSet(unify(to_list(value))),
    "tostring": _tostring,
    "trim": _trim,
    "trimprefix": _string(lambda t, p: t[len(p):] if p and t.startswith(p) else t, 2),
    "trimspace": _string(str.strip),
    "trimsuffix": _string(lambda t, s: t[:-len(s)] if s and t.endswith(s) else t, 2),
    "upper": _string(lambda t: _each_rune(t, str.upper)),
    "values": _values,
    "zipmap": _zipmap,
}


def _formatlist(spec, *args):
    if any(isinstance(a, dict) for a in args):
        raise FunctionError("the arguments must be lists or primitive values, not maps or objects")
    lengths = {len(a) for a in args if is_list(a)}
    if len(lengths) > 1:
        raise FunctionError("all list arguments must have the same length")
    count = lengths.pop() if lengths else 1
    return [format_(to_string(spec), *[a[i] if is_list(a) else a for a in args]) for i in range(count)]


FUNCTIONS["formatlist"] = _formatlist


@lru_cache(maxsize=None)
def _arity(call) -> tuple[int, float]:
    if hasattr(call, "arity"):
        return call.arity
    params = inspect.signature(call).parameters.values()
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return sum(p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD for p in params), math.inf
    return sum(p.default is p.empty for p in params), len(params)


def accepts(call, count: int) -> bool:
    """Whether a function of the table takes this many arguments."""
    least, most = _arity(call)
    return least <= count <= most
# Functions whose result is never known before apply, or depends on the machine: kept as expressions.
UNKNOWN = {"timestamp", "plantimestamp", "timeadd", "timecmp", "formatdate", "uuid", "uuidv5", "bcrypt", "file",
           "filebase64", "fileexists", "fileset", "templatefile", "filemd5", "filesha1", "filesha256", "filesha512",
           "abspath", "pathexpand"}
# Functions that accept collections holding unknowns (their result keeps them); the rest become unknown.
STRUCTURAL = {"concat", "merge", "lookup", "element", "flatten", "length", "keys", "values", "coalescelist",
              "zipmap", "one", "reverse", "slice", "chunklist", "nonsensitive", "sensitive"}
