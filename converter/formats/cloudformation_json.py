"""CloudFormation templates (JSON): the same reader as YAML templates, written as JSON."""

from __future__ import annotations

from ..model import ReplicationConfig
from . import json_text
from .cloudformation import build, locator, read, versioning  # noqa: F401 - the same reader serves both syntaxes
from .detection import cloudformation_json as detect  # noqa: F401 - formats.detect uses the table, not this module

NAME = "cloudformation-json"
MULTI = True
NEEDS_LITERALS = False


def write(configs: list[ReplicationConfig], options) -> str:
    """The template as indented JSON."""
    return json_text(build(configs, options), indent=2)
