"""How sure we are that a document is in each format: a tiny table, so that detecting imports no format module.

Each function, named as the format's module in MODULES, takes (text, file name) and answers from 0 (not this
format) to 1; formats.detect picks the best.
"""

from __future__ import annotations

import re


def cli_json(text: str, filename: str) -> float:
    """AWS CLI JSON or YAML."""
    head = text[:4096]
    if '"configurations"' in head and '"version"' in head:
        return 0.1
    if "Rules" in head or "ReplicationConfiguration" in head:
        if "AWSTemplateFormatVersion" in head or "Resources" in head:
            return 0.2
        json_like = head.lstrip().startswith("{")
        return 0.9 if json_like or filename.lower().endswith((".yaml", ".yml")) else 0.6
    return 0.5 if filename.lower().endswith((".json", ".yaml", ".yml")) else 0.0


def s3_xml(text: str, filename: str) -> float:
    """The S3 XML body."""
    from .. import grammar

    head = text[:2048].lstrip()
    if head.startswith("<"):
        return 0.95 if grammar.load("s3-xml").raw["root"] in head else 0.6
    return 0.3 if filename.lower().endswith(".xml") else 0.0


def cloudformation(text: str, filename: str) -> float:
    """A CloudFormation template in YAML, or a bucket resource without its template (the user guide prints them so)."""
    head = text[:8192]
    if "AWSTemplateFormatVersion" not in head and not ("Resources" in head and "AWS::" in head):
        return 0.95 if _fragment(head) and not text.lstrip().startswith("{") else 0.0  # above cli-json: it has Rules too
    return 0.4 if text.lstrip().startswith("{") else 0.95


def cloudformation_json(text: str, filename: str) -> float:
    """A CloudFormation template in JSON, or a bucket resource without its template."""
    head = text[:8192]
    if not text.lstrip().startswith("{"):
        return 0.0
    if "AWSTemplateFormatVersion" in head or ('"Resources"' in head and "AWS::" in head):
        return 0.95
    return 0.95 if _fragment(head) else 0.0


def _fragment(head: str) -> bool:
    from ..cloudformation.template import fragment

    return fragment(head)


def terraform(text: str, filename: str) -> float:
    """Terraform HCL."""
    if filename.lower().endswith(".tf"):
        return 0.95
    return 0.6 if re.search(r'^\s*(resource|variable|module|provider)\s+"', text[:20000], re.M) else 0.0


def terraform_legacy(text: str, filename: str) -> float:
    """Never preferred by detection: the terraform reader reads v3 blocks."""
    return 0.0


def terraform_json(text: str, filename: str) -> float:
    """Terraform JSON."""
    if filename.lower().endswith(".tf.json"):
        return 0.97
    head = text[:8192]
    return 0.7 if text.lstrip().startswith("{") and '"resource"' in head and '"aws_' in head else 0.0


def terraform_plan(text: str, filename: str) -> float:
    """`terraform show -json` output (a plan or the state)."""
    head = text[:4096]
    if not text.lstrip().startswith("{") or '"format_version"' not in head or '"terraform_version"' not in text:
        return 0.0
    return 0.98 if '"planned_values"' in text or '"values"' in text else 0.0


def model_json(text: str, filename: str) -> float:
    """The model's JSON form."""
    head = text[:1024]
    return 0.95 if '"configurations"' in head and '"version"' in head else 0.0
