"""validate for CI: read errors as findings, --select/--ignore, inline and Metadata suppressions, the report."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import cache

from .errors import Diagnostic, UsageError, error

READ_ERROR = "E000"  # an input that could not be read, in the JSON and SARIF reports
# `# s3repl:ignore W150 reason` (HCL, YAML): codes separated by commas, then why.
INLINE = re.compile(r"#\s*s3repl:ignore\s+((?:[EW]\d{3})(?:\s*,\s*[EW]\d{3})*)\s*(.*)$")


@dataclass(frozen=True)
class Codes:
    """The check ids --select and --ignore name (a prefix names a group: W15, E)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    @classmethod
    def parse(cls, select: list[str], ignore: list[str]) -> "Codes":
        """From repeated or comma-separated options; an id no check has is a usage error."""
        from .cli_options import suggest
        from .validate import CHECKS

        known = [check.code for check in CHECKS]

        def split(values, option):
            out = tuple(part.strip().upper() for value in values for part in str(value).split(",") if part.strip())
            for code in out:
                if not any(k.startswith(code) for k in known):
                    raise UsageError(error("usage", f"{option} {code!r}: no check has this id{suggest(code, known)}",
                                           hint="s3repl validate --help; the README lists the checks"))
            return out

        return cls(split(select, "--select"), split(ignore, "--ignore"))

    def keep(self, findings: list[Diagnostic]) -> list[Diagnostic]:
        """The findings of the selected checks; read errors always."""
        def wanted(code: str) -> bool:
            return code == READ_ERROR or ((not self.select or code.startswith(self.select))
                                          and not code.startswith(self.ignore or ("\0",)))
        return [f for f in findings if wanted(f.code)]


def findings(inputs, fmt=None, *, bucket=None, max_bytes=None, context=None) -> list[Diagnostic]:
    """Every finding, read errors (E000) included, each in-source suppression recorded in `suppressed`."""
    from . import located_findings, read_located

    _lines.cache_clear()  # files may change between runs in one process (tests, editors' language servers)
    _ignores.cache_clear()
    problems: list = []
    items = read_located(inputs, fmt, bucket=bucket, max_bytes=max_bytes, context=context, on_error=problems.append)
    out = [replace(d, code=READ_ERROR, severity="error") for exc in problems for d in exc.diagnostics]
    for item in items:
        out += [_suppressed(f, item.config.origin) for f in located_findings(item)]
    return out


def _suppressed(finding: Diagnostic, origin) -> Diagnostic:
    reason = _inline(finding) or _metadata(finding, origin)
    return finding if reason is None else replace(finding, suppressed={"kind": "inSource", "justification": reason})


@cache
def _lines(file: str) -> tuple[str, ...]:
    try:
        with open(file, encoding="utf-8-sig") as handle:
            return tuple(handle.read().splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


def _inline(finding: Diagnostic) -> str | None:
    """The reason of a `# s3repl:ignore CODE reason` on the finding's line or the line above, or None."""
    if not finding.file or not finding.line:
        return None
    lines = _lines(finding.file)
    for number in (finding.line, finding.line - 1):
        match = INLINE.search(lines[number - 1]) if 0 < number <= len(lines) else None
        if match and finding.code in re.split(r"\s*,\s*", match[1]):
            return match[2].strip() or "s3repl:ignore"
    return None


def _metadata(finding: Diagnostic, origin) -> str | None:
    """The reason when the CloudFormation resource says `Metadata: {s3repl: {ignore: [CODE reason, ...]}}`."""
    if not finding.file or not isinstance(origin, str) or "s3repl" not in "\n".join(_lines(finding.file)):
        return None
    for entry in _ignores(finding.file, origin):
        code, _, reason = str(entry).partition(" ")
        if code == finding.code:
            return reason.strip() or "Metadata s3repl ignore"
    return None


@cache
def _ignores(file: str, logical_id: str) -> tuple:
    from .errors import S3ReplError
    from .formats import cloudformation
    from .sources import load

    try:
        data = cloudformation.parse(load(file)[0])
        entries = data["Resources"][logical_id]["Metadata"]["s3repl"]["ignore"]
    except (S3ReplError, KeyError, TypeError, IndexError):
        return ()
    return tuple(entries) if isinstance(entries, list) else ()


def failing(found: list[Diagnostic], strict: bool) -> list[Diagnostic]:
    """What fails the run: errors, and warnings too with --strict; suppressed findings never."""
    return [f for f in found if not getattr(f, "suppressed", None) and (f.severity == "error" or strict)]


def render(found: list[Diagnostic], fmt: str, fails: list[Diagnostic], quiet: bool) -> str:
    """The report: text (one finding a line), json (a list of findings) or sarif."""
    if fmt == "sarif":
        from .sarif import report

        return json.dumps(report(found), indent=2, ensure_ascii=False)
    if fmt == "json":
        return json.dumps([f.as_dict() for f in found], indent=2, ensure_ascii=False)
    shown = [f for f in found if f.code != READ_ERROR and not f.suppressed and (f in fails or not quiet)]
    return "\n".join(f.render_finding() for f in shown)


def summary(found: list[Diagnostic]) -> str:
    """One line for stderr: how many errors, warnings, suppressed findings and unreadable inputs."""
    live = [f for f in found if not f.suppressed and f.code != READ_ERROR]
    counts = {"error": sum(f.severity == "error" for f in live), "warning": sum(f.severity == "warning" for f in live),
              "suppressed": sum(bool(f.suppressed) for f in found), "unreadable": sum(f.code == READ_ERROR for f in found)}
    parts = [f"{n} {word}{'s' if n != 1 and word in ('error', 'warning') else ''}" for word, n in counts.items() if n]
    return "s3repl validate: " + (", ".join(parts) or "no findings")
