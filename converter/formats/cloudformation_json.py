"""CloudFormation templates (JSON): the same reader as YAML templates, written as JSON."""

from __future__ import annotations

from ..cloudformation.template import fragment
from ..model import ReplicationConfig
from . import json_text
from .cloudformation import build, locator, read, versioning  # noqa: F401 - the same reader serves both syntaxes

NAME = "cloudformation-json"
MULTI = True
NEEDS_LITERALS = False


def detect(text: str, filename: str) -> float:
    """How sure we are that a document is a CloudFormation template in JSON."""
    head = text[:8192]
    if not text.lstrip().startswith("{"):
        return 0.0
    if "AWSTemplateFormatVersion" in head or ('"Resources"' in head and "AWS::" in head):
        return 0.95
    return 0.95 if fragment(head) else 0.0  # a resource without its template (the user guide prints them so)


def write(configs: list[ReplicationConfig], options) -> str:
    """The template as indented JSON."""
    return json_text(build(configs, options), indent=2)
