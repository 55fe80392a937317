"""The shape of a template: its resources, whether whole or a fragment as the CloudFormation user guide prints them."""

from __future__ import annotations

import re
from typing import Any

from ..errors import InputError, error
from ..sources import Source

FRAGMENT = "Bucket"  # the logical ID of a resource read without its template


def fragment(head: str) -> bool:
    """Whether a text looks like a template fragment: a bucket resource without the Resources around it."""
    return bool(re.search(r"""^\s*["']?Type["']?\s*:\s*["']?AWS::S3::Bucket["']?\s*,?\s*$""", head, re.M))


def resources_of(data: Any, source: Source) -> tuple[dict, Any]:
    """The template's resources, and the pointer to a resource by logical ID; a fragment is read as its template.

    The CloudFormation user guide prints resources alone: `{Type: AWS::S3::Bucket, Properties: ...}`, or a mapping of
    logical IDs without the Resources section around it.
    """
    if isinstance(data, dict) and isinstance(data.get("Resources"), dict):
        return data["Resources"], lambda logical_id: ("Resources", logical_id)
    if isinstance(data, dict) and isinstance(data.get("Type"), str) and "Resources" not in data:
        return {FRAGMENT: data}, lambda logical_id: ()
    if isinstance(data, dict) and data and all(isinstance(r, dict) and isinstance(r.get("Type"), str)
                                               for r in data.values()):
        return data, lambda logical_id: (logical_id,)
    raise InputError(error("input", "not a CloudFormation template: no Resources mapping", file=source.name,
                           hint="pass --from to name the format if this is not a template"))
