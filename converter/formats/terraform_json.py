"""Terraform JSON configuration syntax (*.tf.json): the same resources as HCL, as JSON."""

from __future__ import annotations

from ..model import ReplicationConfig
from . import json_text
from .detection import terraform_json as detect  # noqa: F401 - formats.detect uses the table, not this module
from .terraform import json_document, locator, losses, normalizations_at_work, provider_view, read, read_module, versioning  # noqa: F401 - one reader serves both syntaxes

NAME = "terraform-json"
MULTI = True
NEEDS_LITERALS = False


def write(configs: list[ReplicationConfig], options) -> str:
    """A .tf.json document."""
    return json_text(json_document(configs, options), indent=2)
