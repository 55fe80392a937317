"""Diagnostics and the error types; each error type carries its exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Diagnostic:
    """One finding: what is wrong, where (file, line, column, field path) and what to do."""

    code: str
    message: str
    severity: Literal["error", "warning"] = "error"
    path: str | None = None  # Rules[2].Destination.Bucket
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    pointer: tuple | None = field(default=None, compare=False, repr=False)  # the path as data, to locate it
    suppressed: dict | None = field(default=None, compare=False)  # {"kind": "inSource", "justification": ...}

    def at(self, **where) -> "Diagnostic":
        """A copy with location fields filled in (only those not set yet)."""
        fill = {k: v for k, v in where.items() if getattr(self, k) is None and v is not None}
        if not fill:
            return self  # frozen: the same finding serves
        copy = object.__new__(type(self))  # dataclasses.replace runs __init__: a fifth of a finding's cost, per finding
        copy.__dict__.update(self.__dict__, **fill)
        return copy

    def render(self) -> str:
        """One line for people: file:line:col: path: message (hint)."""
        where = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        text = " ".join(p for p in (f"{where}:" if where else "", f"{self.path}:" if self.path else "") if p)
        text = f"{text} {self.severity}: {self.message}" if text else f"{self.severity}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def render_finding(self) -> str:
        """One line for a check's finding: file:line:col: E201 path: message [link]."""
        where = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        path = f" {self.path}:" if self.path else ""
        link = f" [{self.hint}]" if self.hint else ""
        return f"{where + ': ' if where else ''}{self.code}{path} {self.message}{link}"

    def as_dict(self) -> dict:
        """The JSON form."""
        return {k: v for k, v in self.__dict__.items() if v is not None and k != "pointer"}


class S3ReplError(Exception):
    """An error with diagnostics for the user; exit_code is the CLI's exit status."""

    exit_code = 2

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        self.diagnostics = [diagnostics] if isinstance(diagnostics, Diagnostic) else list(diagnostics)
        super().__init__("; ".join(d.render() for d in self.diagnostics))

    def located(self, **where) -> "S3ReplError":
        """The same error with location fields filled into every diagnostic."""
        return type(self)([d.at(**where) for d in self.diagnostics])


class InputError(S3ReplError):
    """The input could not be read (syntax, unknown member, wrong type): exit 2."""

    exit_code = 2


class UsageError(S3ReplError):
    """The command line is wrong (unknown format, missing option): exit 2."""

    exit_code = 2


class Refusal(S3ReplError):
    """The input was read but the answer is no (a lossy conversion, a downgrade): exit 1."""

    exit_code = 1


def error(code: str, message: str, **kw) -> Diagnostic:
    """An error diagnostic."""
    return Diagnostic(code=code, message=message, **kw)


class ReadWarning(UserWarning):
    """A reader's warning (an ambiguous value it read one way); the CLI prints its diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.render())
        self.diagnostic = diagnostic
