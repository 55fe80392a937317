"""The format registry: names, aliases, extensions, detection, and the modules behind them."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable

from .. import grammar
from ..errors import UsageError, error
from ..sources import Source

# Format name -> module in this package. Modules are imported only when their format is used.
MODULES = {"cli-json": "cli_json", "s3-xml": "s3_xml", "cloudformation": "cloudformation",
           "cloudformation-json": "cloudformation_json", "terraform": "terraform", "terraform-legacy": "terraform_legacy",
           "terraform-json": "terraform_json", "terraform-plan": "terraform_plan", "model": "model_json"}


@dataclass(frozen=True)
class WriteOptions:
    """Options a writer may use."""

    shape: str = "bare"  # cli-json: bare | wrapped | cli-input
    warn: Callable = field(default=lambda diagnostic: None)  # for notes a writer has about its choices
    resources: dict = field(default_factory=dict)  # CloudFormation: more resources for the template (--with-iam)
    metadata: dict = field(default_factory=dict)  # CloudFormation: more template Metadata (--with-iam)
    appendix: str = ""  # Terraform: more HCL after the resources (--with-iam)
    imports: bool = False  # --import: adopt what exists (Terraform import blocks, CloudFormation import)
    files: dict = field(default_factory=dict)  # file name -> text a writer makes beside its output (--import)


def literal_bucket(config) -> str:
    """The source bucket's name for adopting it (--import): a literal, or the literal a reference is known to be."""
    from ..errors import Refusal
    from ..values import Ref

    bucket = config.bucket
    name = bucket.default if isinstance(bucket, Ref) else bucket
    if not isinstance(name, str) or not name:
        shown = bucket.display() if isinstance(bucket, Ref) else "none"
        raise Refusal(error("import-id", f"adopting a bucket needs its name, and the input has {shown}",
                            hint="pass --bucket NAME, or --var for the reference"))
    return name


def unique_name(wanted: str, taken: set[str], separator: str = "") -> str:
    """wanted, or wanted2, wanted3... (with separator before the number): a name not in taken, now added to it."""
    name, number = wanted, 2
    while name in taken:
        name, number = f"{wanted}{separator}{number}", number + 1
    taken.add(name)
    return name


def json_text(data, indent: int) -> str:
    """Indented JSON, byte for byte what json.dumps(indent=..., ensure_ascii=False) gives, at Rust speed."""
    from pydantic_core import to_json

    return to_json(data, indent=indent).decode("utf-8") + "\n"


def canonical_name(name: str) -> str:
    """The format name for a name or alias; UsageError when there is none."""
    wanted = name.strip().lower()
    for fmt in MODULES:
        if wanted == fmt or wanted in grammar.load(fmt).aliases:
            return fmt
    raise UsageError(error("unknown-format", f"unknown format {name!r}", hint=f"choose one of: {', '.join(MODULES)}"))


def writable() -> list[str]:
    """The formats that write, not only read (terraform-plan is an input only)."""
    return [fmt for fmt in MODULES if not grammar.load(fmt).raw.get("read_only")]


def module(name: str) -> ModuleType:
    """The module that reads and writes a format."""
    return importlib.import_module(f".{MODULES[canonical_name(name)]}", __name__)


def known_extension(filename: str) -> bool:
    """Whether a file name ends with an extension some format reads."""
    return any(filename.lower().endswith(ext) for fmt in MODULES for ext in grammar.load(fmt).extensions)


def detect(source: Source) -> str:
    """The format of a document by extension and content; UsageError when it is not certain."""
    from . import detection

    scores = sorted(((getattr(detection, MODULES[fmt])(source.text, source.name), fmt) for fmt in MODULES), reverse=True)
    (best, fmt), (second, _) = scores[0], scores[1]
    if best < 0.5 or best == second:
        raise UsageError(error("detect", "cannot tell which format this is", file=source.name,
                               hint=f"pass --from with one of: {', '.join(MODULES)}"))
    return fmt
