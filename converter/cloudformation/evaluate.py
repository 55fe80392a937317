"""Conditions and the intrinsics of known values, evaluated the way CloudFormation does when it creates a stack.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import InputError, error
from ..grammar import render

NO_VALUE = object()  # what !Ref AWS::NoValue leaves: the member (or list item) is removed
# Functions whose result is a literal once their inputs are; Join and Sub keep their references (parametrization).
_FOLDED = ("Fn::FindInMap", "Fn::Select", "Fn::Split", "Fn::Length", "Fn::ToJsonString")
_LIST_TYPES = ("CommaDelimitedList", "List<")


class Missing(Exception):
    """A value evaluation needs and nobody gave: the names of the --var that would decide it."""

    def __init__(self, *names: str):
        super().__init__(", ".join(names))
        self.names = tuple(dict.fromkeys(names))


@dataclass
class Stack:
    """What a template's intrinsics can be evaluated against: Parameters, Mappings, Conditions and --var values."""

    parameters: dict = field(default_factory=dict)
    mappings: dict = field(default_factory=dict)
    conditions: dict = field(default_factory=dict)
    given: Mapping[str, str] = field(default_factory=dict)  # --var NAME=VALUE: Parameters and AWS:: pseudo parameters
    used: dict = field(default_factory=dict)  # what evaluation decided, NAME -> value text, in order
    moves: dict = field(default_factory=dict)  # folded data pointer -> template pointer, where they differ (fold)
    _decided: dict = field(default_factory=dict)

    @classmethod
    def of(cls, data: dict, given: Mapping[str, str]) -> "Stack":
        """The stack of a template; a --var outside a Parameter's AllowedValues is an error naming it."""
        sections = [data.get(name) if isinstance(data.get(name), dict) else {}
                    for name in ("Parameters", "Mappings", "Conditions")]
        stack = cls(*sections, given=dict(given))
        problems = []
        for name, value in stack.given.items():
            spec = stack.parameters.get(name)
            allowed = spec.get("AllowedValues") if isinstance(spec, dict) else None
            if isinstance(allowed, list):
                texts = [_text(a) for a in allowed]
                values = value.split(",") if _is_list(spec) else [value]
                for item in (v for v in values if v not in texts):
                    problems.append(error("not-allowed", f"--var {name}={value}: {item!r} is not in the Parameter's "
                                          "AllowedValues", path=f"Parameters.{name}.AllowedValues",
                                          pointer=("Parameters", name, "AllowedValues"),
                                          hint=f"pass --var {name}=VALUE with one of: {', '.join(texts)}"))
        if problems:
            raise InputError(problems)
        return stack

    # --- conditions --------------------------------------------------------------------------------

    def condition(self, name: Any, use: str) -> bool:
        """The value of a named condition; InputError naming it, where it is and the --var that decides it."""
        if not isinstance(name, str) or name not in self.conditions:
            raise InputError(error("undefined", f"condition {name!r} is not defined in Conditions", path=use,
                                   hint="define it under Conditions"))
        try:
            value = self._truth({"Condition": name}, ())
        except Missing as missing:
            names = missing.names
            raise InputError(error(
                "undecided-condition", f"condition {name} (used by {use}) depends on {', '.join(names)}, which "
                "nobody gave", path=f"Conditions.{name}", pointer=("Conditions", name),
                hint=" ".join(f"pass --var {n}=VALUE" for n in names))) from None
        self.used[name] = "true" if value else "false"
        return value

    def _truth(self, raw: Any, seen: tuple) -> bool:
        if not (isinstance(raw, dict) and len(raw) == 1):
            if isinstance(raw, bool) or raw in ("true", "false"):
                return raw in (True, "true")
            raise _malformed("a condition must be a condition function", seen)
        (function, argument), = raw.items()
        if function == "Condition":
            if argument in seen:
                raise InputError(error("cycle", f"conditions refer to each other in a ring: {' -> '.join(seen)} "
                                       f"-> {argument}", path=f"Conditions.{argument}"))
            if argument not in self.conditions:
                raise _malformed(f"condition {argument!r} is not defined", seen)
            if argument not in self._decided:
                self._decided[argument] = self._truth(self.conditions[argument], seen + (argument,))
            return self._decided[argument]
        if function == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
            left, right = (self.value(a) for a in argument)
            return _text(left) == _text(right)
        if function == "Fn::Not" and isinstance(argument, list) and len(argument) == 1:
            return not self._truth(argument[0], seen)
        if function in ("Fn::And", "Fn::Or") and isinstance(argument, list) and argument:
            # Decided as soon as one operand decides it (false for And, true for Or), unknown operands or not.
            deciding, missing = function == "Fn::Or", []
            for operand in argument:
                try:
                    if self._truth(operand, seen) is deciding:
                        return deciding
                except Missing as exc:
                    missing += exc.names
            if missing:
                raise Missing(*missing)
            return not deciding
        raise _malformed(f"{function} is not a condition function here", seen)

    # --- values ------------------------------------------------------------------------------------

    def parameter(self, name: str) -> Any:
        """A Parameter's value (the --var, else its Default) or a given pseudo parameter; Missing otherwise."""
        if name in self.given:
            value = self.given[name]
        elif name.startswith("AWS::"):  # pseudo parameters have no default here: the stack's account and Region
            raise Missing(name)
        else:
            spec = self.parameters.get(name)
            if not isinstance(spec, dict) or "Default" not in spec:
                raise Missing(name)
            value = _text(spec["Default"])
        self.used.setdefault(name, value)
        return value.split(",") if _is_list(self.parameters.get(name)) else value

    def value(self, raw: Any) -> Any:
        """The literal an expression evaluates to; Missing names what it needs."""
        if isinstance(raw, list):
            return [self.value(item) for item in raw]
        if isinstance(raw, dict) and not function_of(raw):
            return {key: self.value(item) for key, item in raw.items()}
        if not isinstance(raw, dict):
            return raw
        (function, argument), = raw.items()
        if function == "Ref" and isinstance(argument, str):
            if argument in self.parameters or argument.startswith("AWS::"):
                return self.parameter(argument)
            raise Missing(argument)  # a resource: known once the stack exists
        if function == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
            return self.value(argument[1] if self.condition(argument[0], "Fn::If") else argument[2])
        if function == "Fn::FindInMap" and isinstance(argument, list) and len(argument) in (3, 4):
            return self._find_in_map(argument)
        if function == "Fn::Select" and isinstance(argument, list) and len(argument) == 2:
            index, items = self.value(argument[0]), self.value(argument[1])
            if not isinstance(items, list) or not str(index).isdigit() or int(index) >= len(items):
                raise InputError(error("input", f"Fn::Select index {index} is not in {items!r}"))
            return items[int(index)]
        if function == "Fn::Split" and isinstance(argument, list) and len(argument) == 2:
            delimiter, text = self.value(argument[0]), self.value(argument[1])
            if isinstance(delimiter, str) and isinstance(text, str) and delimiter:
                return text.split(delimiter)
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            delimiter, items = self.value(argument[0]), self.value(argument[1])
            if isinstance(delimiter, str) and isinstance(items, list):
                return delimiter.join(_text(item) for item in items)
        if function == "Fn::Sub" and isinstance(argument, (str, list)):
            return self._sub(argument)
        if function == "Fn::Length":  # AWS::LanguageExtensions
            items = self.value(argument)
            if isinstance(items, list):
                return len(items)
        if function == "Fn::ToJsonString":  # AWS::LanguageExtensions
            return json.dumps(self.value(argument), separators=(",", ":"), ensure_ascii=False)
        raise Missing(function if function != "Fn::GetAtt" else f"Fn::GetAtt {argument}")

    def _find_in_map(self, argument: list) -> Any:
        name, top, second = (self.value(a) for a in argument[:3])
        mapping = self.mappings.get(name)
        level = mapping.get(_text(top)) if isinstance(mapping, dict) else None
        found = level.get(_text(second)) if isinstance(level, dict) else None
        if found is not None:
            return self.value(found)
        default = argument[3] if len(argument) == 4 else None
        if isinstance(default, dict) and "DefaultValue" in default:  # AWS::LanguageExtensions
            return self.value(default["DefaultValue"])
        raise InputError(error("input", f"Fn::FindInMap: Mappings has no {name}.{top}.{second}",
                               hint="add it to Mappings, or give a DefaultValue"))

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (list(argument) + [None, None])[:2]
        if not isinstance(text, str) or not isinstance(variables, dict):
            raise Missing("Fn::Sub")

        def one(match: re.Match) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return _text(self.value(variables[name]))
            if "." in name and "::" not in name:
                raise Missing(name)  # ${Resource.Attribute}
            return _text(self.value({"Ref": name}))

        return re.sub(r"\$\{([^}]*)\}", one, text)

    # --- folding a property tree -----------------------------------------------------------------

    def fold(self, raw: Any, pointer: tuple, at: tuple | None = None) -> Any:
        """Property data with Fn::If decided, AWS::NoValue members removed and intrinsics of known values folded.

        What is not known (resources, pseudo parameters nobody gave) stays an intrinsic for the reader to keep as a
        reference; a plain Ref of a Parameter stays too, so the output keeps the parameter. pointer is where raw is
        in the template, at where the result is in the folded data: self.moves records where they part (a removed
        rule moves the next ones up, an Fn::If's value sits inside it), for diagnostics.
        """
        at = pointer if at is None else at
        if isinstance(raw, list):
            out: list = []
            for index, item in enumerate(raw):
                mark = len(self.moves)
                folded = self.fold(item, pointer + (index,), at + (len(out),))
                if folded is NO_VALUE:  # what its members recorded is gone with it
                    for key in list(self.moves)[mark:]:
                        del self.moves[key]
                    continue
                if index != len(out):
                    self.moves[at + (len(out),)] = pointer + (index,)
                out.append(folded)
            return out
        if not isinstance(raw, dict):
            return raw
        if not function_of(raw):
            members = ((key, self.fold(item, pointer + (key,), at + (key,))) for key, item in raw.items())
            return {key: item for key, item in members if item is not NO_VALUE}
        (function, argument), = raw.items()
        path = render(at)
        if function == "Ref" and argument == "AWS::NoValue":
            return NO_VALUE
        if function == "Fn::If":
            if not (isinstance(argument, list) and len(argument) == 3):
                raise InputError(error("input", "Fn::If takes [condition, value if true, value if false]", path=path,
                                       pointer=pointer))
            chosen = 1 if self.condition(argument[0], path) else 2
            self.moves[at] = pointer + ("Fn::If", chosen)
            return self.fold(argument[chosen], pointer + ("Fn::If", chosen), at)
        if function in _FOLDED:
            try:
                return self.value(raw)
            except Missing:
                pass
            except InputError as exc:  # a lookup the stack would fail on too: say where
                raise InputError([d.at(path=path, pointer=pointer) for d in exc.diagnostics]) from None
        if function in ("Fn::Join", "Fn::Sub", *_FOLDED):
            return {function: self.fold(argument, pointer + (function,), at + (function,))}
        return raw

    def source_pointer(self, at: tuple) -> tuple:
        """Where a member of the folded data is in the template (see fold)."""
        for cut in range(len(at), 0, -1):
            if at[:cut] in self.moves:
                return self.moves[at[:cut]] + at[cut:]
        return at


def function_of(raw: Any) -> str | None:
    """The intrinsic function a value calls ({"Fn::If": [...]} -> Fn::If), or None for plain data."""
    if isinstance(raw, dict) and len(raw) == 1:
        name = next(iter(raw))
        return name if name in ("Ref", "Condition") or name.startswith("Fn::") else None
    return None


def _text(value: Any) -> str:
    """A scalar as CloudFormation compares it: its text (true, 5)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (list, dict)) else str(value)


def _is_list(spec: Any) -> bool:
    return isinstance(spec, dict) and isinstance(spec.get("Type"), str) and spec["Type"].startswith(_LIST_TYPES)


def _malformed(message: str, seen: tuple) -> InputError:
    where = seen[-1] if seen else None
    return InputError(error("input", message, path=f"Conditions.{where}" if where else None,
                            pointer=("Conditions", where) if where else None))
