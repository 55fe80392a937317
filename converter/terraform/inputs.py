"""A module's variable values: what the caller or the command line gives, in Terraform's precedence, by type.

https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import InputError, error
from . import syntax, types
from .module import Files
from .syntax import Attribute, Block, Json

TFVARS = ("terraform.tfvars", "terraform.tfvars.json")


def root_inputs(files: Files, context) -> tuple[dict, set]:
    """The root module's variable values: default < TF_VAR_ < terraform.tfvars(.json) < *.auto.tfvars < --var-file < --var."""
    given: dict = {}  # name -> value, the later source winning
    environ = getattr(context, "environ", {}) or {}
    for name in files.variables:
        if f"TF_VAR_{name}" in environ:
            given[name] = _raw_value(files, name, environ[f"TF_VAR_{name}"], f"TF_VAR_{name}")
    directory = files.directory
    try:
        autos = sorted(n for n in os.listdir(directory) if n.endswith((".auto.tfvars", ".auto.tfvars.json")))
    except OSError:
        autos = []
    paths = [os.path.join(directory, n) for n in TFVARS + tuple(autos)]
    paths = [p for p in paths if os.path.isfile(p)] + list(getattr(context, "var_files", ()) or ())
    for path in paths:
        given.update(tfvars(path, files))
    for key, text in (getattr(context, "variables", {}) or {}).items():
        name = key[4:] if key.startswith("var.") else None
        if name in files.variables:
            given[name] = _raw_value(files, name, text, f"--var {key}")
    values = {}
    for name, block in files.variables.items():
        if name in given:
            values[name] = given[name]
        elif "default" in block.body.attributes:
            values[name] = _constant(block.body.attributes["default"])
    return typed(files, values), set(given)


def _raw_value(files: Files, name: str, text: str, origin: str) -> Any:
    """A --var or TF_VAR_ value: a string for a primitive variable, HCL syntax for a list, map, object or tuple."""
    kind = variable_type(files.variables[name])
    if isinstance(kind, tuple):
        try:
            return _constant(Attribute(name, syntax.expression(text), origin, 0, 0))
        except ValueError as exc:
            raise InputError(error("input", f"{origin}: {exc}", hint="give the value in HCL syntax, e.g. "
                                   '\'["a", "b"]\' or \'{ key = "value" }\'')) from None
    return text


def tfvars(path: str, files: Files) -> dict:
    """The variable values a .tfvars (HCL) or .tfvars.json file sets; undeclared names are ignored as Terraform warns."""
    from ..sources import load

    (source,) = load(path)
    if path.endswith(".json") or source.text.lstrip().startswith("{"):
        from ..sources import load_json

        data = load_json(source.text, source.name)
        if not isinstance(data, dict):
            raise InputError(error("input", "a .tfvars.json file holds one object", file=source.name))
        return {k: _constant(Attribute(k, Json(v, source.name), source.name, 0, 0)) for k, v in data.items()
                if k in files.variables}
    body = syntax.parse(source)
    if body.blocks:
        block = body.blocks[0]
        raise InputError(error("input", "a .tfvars file holds only NAME = VALUE lines", file=block.file, line=block.line))
    return {k: _constant(a) for k, a in body.attributes.items() if k in files.variables}


def _constant(attribute: Attribute) -> Any:
    """A value that may not refer to anything (defaults, tfvars): literals and functions only."""
    from . import bridge

    return bridge.constant(attribute)


def variable_type(block: Block):
    attribute = block.body.attributes.get("type")
    if attribute is None:
        return "any"
    if isinstance(attribute.expr, Json):
        text = attribute.expr.value
        expr = syntax.expression(text[2:-1] if text.startswith("${") and text.endswith("}") else text)
        return types.parse(expr)
    return types.parse(attribute.expr)


def typed(files: Files, values: dict) -> dict:
    """Values converted to their variables' types; a value that does not fit is an error at the variable."""
    from . import bridge

    out = {}
    for name, value in values.items():
        block = files.variables[name]
        try:
            out[name] = types.convert(value, variable_type(block), bridge.constant_of_tree)
        except types.TypeError_ as exc:
            raise InputError(error("input", f"var.{name}: {exc}", file=block.file, line=block.line,
                                   hint="check the value given for it")) from None
    for name, block in files.variables.items():  # a module call without the argument: the default
        if name not in out and "default" in block.body.attributes:
            out[name] = types.convert(_constant(block.body.attributes["default"]), variable_type(block),
                                      bridge.constant_of_tree)
    return out


