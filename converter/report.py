"""The JSON documents of --format json for convert and formats (their keys are documented in the README)."""

from __future__ import annotations

import json
from typing import Callable

from .errors import Diagnostic, S3ReplError

VERSION = 1  # raised when a key changes meaning or goes away; new keys may appear


def convert_document(run: Callable) -> tuple[int, str]:
    """Run convert collecting what it says; its exit code and one JSON document (result, warnings, refusals)."""
    said: list[Diagnostic] = []
    findings: list[Diagnostic] = []
    code, result, written = 0, None, []
    try:
        result, written = run(say=said.append, found=findings.append, json_mode=True)
    except S3ReplError as exc:
        code = exc.exit_code
        said += exc.diagnostics
    document = {
        "version": VERSION, "exit_code": code, "converted": code == 0,
        "findings": [d.as_dict() for d in findings],
        "diagnostics": [d.as_dict() for d in said],
        "written": written, "output": result,
    }
    return code, json.dumps(document, indent=2, ensure_ascii=False)


def formats_document() -> dict:
    """Every format: name, aliases, summary, extensions, what it cannot express, how it normalizes."""
    from . import grammar
    from .formats import MODULES
    from .lossy import describe

    out = []
    for name in MODULES:
        spec = grammar.load(name)
        gaps = [describe(gap).split(": ", 1) for gap in spec.cannot_express]
        out.append({"name": name, "aliases": list(spec.aliases), "summary": spec.summary,
                    "extensions": list(spec.extensions),
                    "cannot_express": [{"path": path, "reason": reason} for path, reason in gaps],
                    "normalizes": [n["text"] if isinstance(n, dict) else n for n in spec.raw.get("normalizes", ())]})
    return {"version": VERSION, "formats": out}
