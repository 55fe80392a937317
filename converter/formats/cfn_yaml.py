"""CloudFormation YAML: cfn-flip's short-form tag constructors on libyaml's loader, and a direct emitter.

The emitter is written by hand because PyYAML's dumper (which cfn-flip uses) is slow on large
templates and picks styles we would not; every string that is not unambiguously plain is
double-quoted with YAML's escapes, and a property test reads the output back.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
_SHORT = {"Ref": "!Ref", "Fn::GetAtt": "!GetAtt", "Fn::Sub": "!Sub", "Fn::ImportValue": "!ImportValue"}
# A plain scalar that YAML 1.1 and 1.2 both read back as this very string.
_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./:=@+-]*\Z")
_SINGLE = re.compile(r"^[\x20-\x7e]+\Z")  # printable ASCII on one line
_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
# Characters YAML must see escaped inside double quotes: non-printables and the line breaks it would fold.
_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


@cache
def loader():
    """A safe YAML loader (C when libyaml is there) that turns !Ref, !GetAtt, !Sub... into long form."""
    import yaml
    from cfn_tools.yaml_loader import multi_constructor

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    cls = type("CfnLoader", (base,), {})
    cls.add_multi_constructor("!", multi_constructor)
    return cls


def long_form(suffix: str, value: Any) -> dict:
    """What cfn-flip's loader makes of a short-form tag (!Ref x -> {"Ref": "x"}); ValueError leaves it to that loader.

    A tagged scalar arrives as its text, a tagged collection as its data; cfn-flip reads !GetAtt's list items as
    text, so a list of anything but strings is left to it.
    """
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    if name == "Fn::GetAtt":
        if isinstance(value, str):
            value = value.split(".", 1)
        elif not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError("!GetAtt of a list of non-strings")
    return {name: value}


def scalar(value: Any) -> str:
    """A YAML scalar that reads back as exactly this value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if _PLAIN.match(value) and value.lower() not in _WORDS and not value.endswith(":"):
        return value
    if ('"' in value or "\\" in value) and _SINGLE.match(value):
        return "'" + value.replace("'", "''") + "'"  # no escapes needed inside single quotes
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


def _inline(value: Any) -> str | None:
    """A value that fits after 'key: ' on one line, or None when it needs a block."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        if len(value) == 1:
            (function, argument), = value.items()
            if function in _SHORT:
                if function == "Fn::GetAtt" and isinstance(argument, list):
                    argument = ".".join(argument)
                if isinstance(argument, str):
                    return f"{_SHORT[function]} {scalar(argument)}"
        return None
    if isinstance(value, list):
        return "[]" if not value else None
    return scalar(value)


def _block(value: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            inline = _inline(item)
            if inline is not None:
                lines.append(f"{pad}{scalar(key)}: {inline}")
            else:
                lines.append(f"{pad}{scalar(key)}:")
                _block(item, indent + 2, lines)
    else:
        for item in value:
            inline = _inline(item)
            if inline is not None:
                lines.append(f"{pad}- {inline}")
                continue
            start = len(lines)
            _block(item, indent + 2, lines)
            lines[start] = f"{pad}- {lines[start][indent + 2:]}"


def dump(data: dict) -> str:
    """A YAML document for long-form template data, with short-form tags."""
    lines: list[str] = []
    _block(data, 0, lines)
    return "\n".join(lines) + "\n"
