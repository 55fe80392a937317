"""SARIF 2.1.0 for s3repl validate: one result per finding, rules carrying their help link."""

from __future__ import annotations

from pathlib import Path

from . import __version__
from .errors import Diagnostic
from .validate import CHECKS

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def report(findings: list[Diagnostic]) -> dict:
    """A SARIF log of one run; file locations relative to the working directory when they are below it."""
    from .ci import READ_ERROR

    rules = [{"id": check.code, "name": check.code, "shortDescription": {"text": check.summary},
              "helpUri": check.link, "defaultConfiguration": {"level": "error" if check.severity == "error" else "warning"}}
             for check in CHECKS]
    rules.append({"id": READ_ERROR, "name": READ_ERROR, "shortDescription": {"text": "the input could not be read"},
                  "helpUri": "https://pypi.org/project/s3repl/", "defaultConfiguration": {"level": "error"}})
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    results = []
    for finding in findings:
        result = {"ruleId": finding.code, "ruleIndex": index.get(finding.code, 0),
                  "level": "error" if finding.severity == "error" else "warning",
                  "message": {"text": _text(finding)}}
        if finding.file:
            region = {"startLine": finding.line or 1}
            if finding.column:
                region["startColumn"] = finding.column
            result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(finding.file)},
                                                         "region": region}}]
        if finding.suppressed:  # in the source: # s3repl:ignore, or the resource's Metadata
            result["suppressions"] = [finding.suppressed]
        results.append(result)
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "s3repl", "version": __version__, "informationUri": "https://pypi.org/project/s3repl/",
                            "rules": rules}},
        "results": results}]}


def _text(finding: Diagnostic) -> str:
    text = f"{finding.path}: {finding.message}" if finding.path else finding.message
    return f"{text} ({finding.hint})" if finding.hint and not finding.hint.startswith("https://") else text


def _uri(file: str) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri() if path.is_absolute() or path.exists() else file
