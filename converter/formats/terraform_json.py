"""Terraform JSON configuration syntax (*.tf.json): the same resources as HCL, as JSON."""

from __future__ import annotations

from ..model import ReplicationConfig
from . import json_text
from .terraform import json_document, locator, losses, normalizations_at_work, provider_view, read, read_module, versioning  # noqa: F401 - one reader serves both syntaxes

NAME = "terraform-json"
MULTI = True
NEEDS_LITERALS = False


def detect(text: str, filename: str) -> float:
    """How sure we are that a document is Terraform JSON."""
    if filename.lower().endswith(".tf.json"):
        return 0.97
    head = text[:8192]
    return 0.7 if text.lstrip().startswith("{") and '"resource"' in head and '"aws_' in head else 0.0


def write(configs: list[ReplicationConfig], options) -> str:
    """A .tf.json document."""
    return json_text(json_document(configs, options), indent=2)
