"""The s3repl command line: a thin typer layer over the API that renders diagnostics and sets exit codes."""

from __future__ import annotations

import functools
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import List, Optional

import typer

from .errors import Diagnostic, S3ReplError, UsageError, error

app = typer.Typer(add_completion=True, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Convert Amazon S3 replication configurations between formats, without silent loss.")


def _say(diag: Diagnostic) -> None:
    typer.echo(diag.render(), err=True)


def _handles_errors(command):
    """Turn our errors into one line per diagnostic on stderr and the error's exit code."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except S3ReplError as exc:
            for diag in exc.diagnostics:
                _say(diag)
            raise typer.Exit(exc.exit_code) from None

    return run


def _variables(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(error("usage", f"--var {pair!r} is not NAME=VALUE"))
        out[name] = value
    return out


def _write_file(path: Path, text: str, force: bool) -> None:
    """Write atomically (temporary file, then rename); never replace a file unless forced."""
    if path.exists() and not force:
        raise UsageError(error("exists", "the output file exists", file=str(path), hint="pass --force to replace it"))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _emit(result: str | dict[str, str], output: Optional[Path], force: bool, listing: list[str]) -> None:
    if isinstance(result, dict):
        if output is None or (output.exists() and not output.is_dir()):
            raise UsageError(error("needs-directory", f"found {len(result)} configurations ({', '.join(listing)}); "
                                   "this format holds one per file", hint="pass -o DIR, or --bucket NAME to pick one"))
        for name, text in result.items():
            _write_file(output / name, text, force)
            typer.echo(f"wrote {output / name}", err=True)
    elif output is None:
        sys.stdout.write(result)
    else:
        _write_file(output, result, force)


def _read_with_progress(inputs: list[str], fmt, bucket, max_bytes):
    """Read the inputs; on a terminal, with a progress bar when there are several (nothing on a pipe)."""
    from . import read_located

    many = len(inputs) > 1 or any(Path(i).is_dir() for i in inputs)
    progress = None
    if many and sys.stderr.isatty() and not os.environ.get("NO_COLOR") and not os.environ.get("CI"):
        from rich.console import Console
        from rich.progress import track

        progress = lambda paths: track(paths, description="Reading", console=Console(stderr=True), transient=True)  # noqa: E731
    return read_located(inputs, fmt, bucket=bucket, max_bytes=max_bytes, progress=progress)


@app.command()
@_handles_errors
def convert(
    inputs: List[str] = typer.Argument(..., help="Files, directories, or - for stdin."),
    to: str = typer.Option(..., "--to", "-t", help="Target format (see `s3repl formats`)."),
    from_: Optional[str] = typer.Option(None, "--from", "-f", help="Input format; detected when omitted."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output file or directory; stdout if omitted."),
    bucket: Optional[str] = typer.Option(None, "--bucket", "-b", help="Name the source bucket, or pick one configuration."),
    schema: str = typer.Option("auto", "--schema", help="auto keeps the input's; v2 upgrades V1 rules; v1 downgrades or refuses."),
    allow_lossy: bool = typer.Option(False, "--allow-lossy", help="Write even when the target cannot hold a field; warn for each."),
    var: List[str] = typer.Option([], "--var", help="NAME=VALUE for a reference the target needs as a literal."),
    shape: str = typer.Option("bare", "--shape", help="cli-json shape: bare, wrapped (get-bucket-replication) or cli-input."),
    force: bool = typer.Option(False, "--force", help="Replace existing output files."),
    max_bytes: int = typer.Option(20 * 1024 * 1024, "--max-bytes", help="Refuse inputs larger than this."),
    no_validate: bool = typer.Option(False, "--no-validate", help="Convert even what S3 would reject."),
    with_iam: bool = typer.Option(False, "--with-iam", help="Also the role and policies; the configuration points at the role."),
    source_kms_key: List[str] = typer.Option([], "--source-kms-key", help="With --with-iam: a KMS key of source objects."),
    source_account: Optional[str] = typer.Option(None, "--source-account", help="With --with-iam: the source account."),
    import_: bool = typer.Option(False, "--import", help="Adopt what exists: Terraform import blocks; CloudFormation "
                                 "DeletionPolicy Retain and a resources-to-import file beside -o."),
) -> None:
    """Convert replication configurations: s3repl convert export.json --to terraform --bucket src --with-iam"""
    from . import located_findings, write
    from .formats import canonical_name
    from .normalize import apply_schema

    canonical_name(to)  # a wrong --to is a usage error before any input is read
    if schema not in ("auto", "v1", "v2"):
        raise UsageError(error("usage", f"--schema {schema!r}", hint="choose auto, v1 or v2"))
    variables = _variables(var)
    items = _read_with_progress(inputs, from_, bucket, max_bytes)
    for item in items:  # the checks see what will be written: V1 rules upgraded, or downgraded
        item.config = apply_schema(item.config, schema)
    if not no_validate:
        findings = [f for item in items for f in located_findings(item)]
        for finding in findings:
            typer.echo(finding.render_finding(), err=True)
        if any(f.severity == "error" for f in findings):
            typer.echo("s3repl: not converted: S3 would reject the configuration (--no-validate converts anyway)",
                       err=True)
            raise typer.Exit(1)
    configs = [item.config for item in items]
    extra, extra_files = {}, {}
    if with_iam:
        from .iam import Options
        from .iam_output import bundle

        configs, extra, extra_files = bundle(configs, to, Options(tuple(source_kms_key), source_account), _say, variables)
    beside: dict[str, str] = {}
    if import_:
        extra = {**extra, "imports": True, "files": beside}
    result = write(configs, to, allow_lossy=allow_lossy, variables=variables, shape=shape, warn=_say, extra=extra)
    listing = [str(c.bucket or c.origin or "?") for c in configs]
    if extra_files:  # the documents go beside the configuration: a directory
        from . import grammar

        named = result if isinstance(result, dict) else {
            f"{re.sub(r'[^A-Za-z0-9._-]+', '_', listing[0])}{grammar.load(canonical_name(to)).extensions[0]}": result}
        if output is None:
            raise UsageError(error("needs-directory", "--with-iam writes the IAM documents beside the configuration",
                                   hint="pass -o DIR"))
        result = {**named, **extra_files}
    if beside:
        result = _beside(result, beside, output, force)
    _emit(result, output, force, listing)


def _beside(result: str | dict[str, str], files: dict[str, str], output: Optional[Path], force: bool):
    """The result with the files a writer made beside it (--import): in the -o directory, or named after the -o file."""
    if output is None:
        raise UsageError(error("needs-output", f"--import writes {', '.join(files)} beside the output",
                               hint="pass -o FILE or -o DIR"))
    if isinstance(result, dict):
        return {**result, **files}
    for name, text in files.items():
        path = output.with_name(f"{output.stem}.{name}")
        _write_file(path, text, force)
        typer.echo(f"wrote {path}", err=True)
    return result


@app.command()
@_handles_errors
def validate(
    inputs: List[str] = typer.Argument(..., help="Files, directories, or - for stdin."),
    from_: Optional[str] = typer.Option(None, "--from", "-f", help="Input format; detected when omitted."),
    bucket: Optional[str] = typer.Option(None, "--bucket", "-b", help="Pick one configuration."),
    output: str = typer.Option("text", "--output", help="text, json or sarif (SARIF 2.1.0, for code scanning)."),
    max_bytes: int = typer.Option(20 * 1024 * 1024, "--max-bytes", help="Refuse inputs larger than this."),
) -> None:
    """Check configurations against every rule S3 enforces: s3repl validate main.tf --output sarif"""
    import json

    from . import validate as run

    if output not in ("text", "json", "sarif"):
        raise UsageError(error("usage", f"--output {output!r}", hint="choose text, json or sarif"))
    findings = run(inputs, from_, bucket=bucket, max_bytes=max_bytes)
    if output == "sarif":
        from .sarif import report

        typer.echo(json.dumps(report(findings), indent=2, ensure_ascii=False))
    elif output == "json":
        typer.echo(json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            typer.echo(finding.render_finding())
    raise typer.Exit(1 if any(f.severity == "error" for f in findings) else 0)


def _colour(text: str, style: str) -> str:
    """Colour for a terminal that wants it (NO_COLOR unset); plain text otherwise."""
    if not sys.stdout.isatty() or os.environ.get("NO_COLOR"):
        return text
    colour = {"equal": "green", "added": "green", "removed": "red", "changed": "yellow", "undecided": "magenta"}.get(style)
    return typer.style(text, fg=colour) if colour else text


@app.command()
@_handles_errors
def diff(
    a: str = typer.Argument(..., help="One side: a file, a directory, or -."),
    b: str = typer.Argument(..., help="The other side."),
    from_a: Optional[str] = typer.Option(None, "--from-a", help="Format of A; detected when omitted."),
    from_b: Optional[str] = typer.Option(None, "--from-b", help="Format of B; detected when omitted."),
    bucket: Optional[str] = typer.Option(None, "--bucket", "-b", help="Name the source bucket, or pick one configuration."),
    var: List[str] = typer.Option([], "--var", help="NAME=VALUE for a reference, to decide comparisons with literals."),
    output: str = typer.Option("text", "--output", help="text or json."),
) -> None:
    """Compare two configurations by meaning: s3repl diff main.tf live.json (exit 0 equal, 1 different or undecided)"""
    import json

    from . import diff as run

    if output not in ("text", "json"):
        raise UsageError(error("usage", f"--output {output!r}", hint="choose text or json"))
    report = run(a, b, from_a=from_a, from_b=from_b, bucket=bucket, variables=_variables(var))
    if output == "json":
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        for style, line in report.lines():
            typer.echo(_colour(line, style))
    raise typer.Exit(0 if report.outcome == "equal" else 1)


@app.command()
@_handles_errors
def show(
    inputs: List[str] = typer.Argument(..., help="Files, directories, or - for stdin."),
    from_: Optional[str] = typer.Option(None, "--from", "-f", help="Input format; detected when omitted."),
    bucket: Optional[str] = typer.Option(None, "--bucket", "-b", help="Pick one configuration."),
) -> None:
    """Show what is replicated where, one rule a line: s3repl show template.yaml"""
    from . import read
    from .show import table

    for config in read(inputs, from_, bucket=bucket):
        typer.echo(table(config))


@app.command()
@_handles_errors
def iam(
    inputs: List[str] = typer.Argument(..., help="Files, directories, or - for stdin."),
    to: str = typer.Option("json", "--to", "-t", help="json, cloudformation, terraform or cli-script (with -o DIR)."),
    from_: Optional[str] = typer.Option(None, "--from", "-f", help="Input format; detected when omitted."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output file or directory; stdout if omitted."),
    bucket: Optional[str] = typer.Option(None, "--bucket", "-b", help="Name the source bucket, or pick one configuration."),
    source_kms_key: List[str] = typer.Option([], "--source-kms-key", help="ARN of a KMS key that encrypts source objects."),
    source_account: Optional[str] = typer.Option(None, "--source-account", help="The source account (else the role's)."),
    batch: bool = typer.Option(False, "--batch", help="Also S3 Batch Replication (trust and permissions)."),
    manifest_bucket: Optional[str] = typer.Option(None, "--manifest-bucket", help="Batch Replication manifest bucket."),
    report_bucket: Optional[str] = typer.Option(None, "--report-bucket", help="Batch Replication report bucket."),
    var: List[str] = typer.Option([], "--var", help="NAME=VALUE for a reference the documents need as a literal."),
    force: bool = typer.Option(False, "--force", help="Replace existing output files."),
) -> None:
    """Write the role's trust and permissions policies and the cross-account policies: s3repl iam export.json --bucket src"""
    import json

    from . import read
    from .grammar import api_path
    from .iam import Options, documents
    from .iam_output import TARGETS, render
    from .values import resolve_all

    if to not in TARGETS:
        raise UsageError(error("usage", f"--to {to!r}", hint=f"choose one of: {', '.join(TARGETS)}"))
    options = Options(tuple(source_kms_key), source_account, batch, manifest_bucket, report_bucket)
    variables = _variables(var)
    files: dict[str, str] = {}
    everything = {}
    for config in read(inputs, from_, bucket=bucket):
        config, _ = resolve_all(config, variables, api_path)
        docs = documents(config, options)
        everything[str(config.bucket)] = docs
        files.update(render(to, config, docs))
    # A directory: one that exists, a name without an extension, or any -o for cli-script (a script and its files).
    directory = output is not None and (output.is_dir() or not output.suffix or to == "cli-script")
    if directory:
        for name, text in files.items():
            _write_file(output / name, text, force)
            if name.endswith(".sh"):
                (output / name).chmod(0o755)
            typer.echo(f"wrote {output / name}", err=True)
    elif to == "cli-script":
        raise UsageError(error("needs-directory", "cli-script writes a script and the JSON documents it reads",
                               hint="pass -o DIR/"))
    elif to == "json":
        text = json.dumps(next(iter(everything.values())) if len(everything) == 1 else everything, indent=2) + "\n"
        _emit(text, output, force, list(everything))
    else:
        separator = "\n---\n" if to == "cloudformation" else "\n"
        _emit(separator.join(f"# {name}\n{text}" for name, text in files.items()), output, force, list(files))


@app.command()
@_handles_errors
def migrate(
    path: str = typer.Argument(..., help="A .tf file, or a module's directory."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print a unified diff; change nothing."),
    import_: bool = typer.Option(False, "--import", help="Also import blocks (Terraform 1.5+) that adopt what exists."),
) -> None:
    """Provider v3 inline blocks to v4 resources, in place: s3repl migrate infra/ --import (exit 0, 1 refused)"""
    from . import migrate as run

    edits = run.plan(path, imports=import_, warn=_say)
    if not edits:
        typer.echo(f"s3repl: nothing to migrate in {path}", err=True)
    elif dry_run:
        sys.stdout.write("".join(edit.diff() for edit in edits))
    else:
        run.write(edits)
        for edit in edits:
            typer.echo(f"migrated {edit.path}: {', '.join(f'aws_s3_bucket.{b}' for b in edit.buckets)}", err=True)


@app.command()
@_handles_errors
def formats() -> None:
    """List the formats, their aliases and extensions, and what each cannot express."""
    from . import grammar
    from .formats import MODULES
    from .lossy import describe

    for name in MODULES:
        spec = grammar.load(name)
        aliases = f" (aliases: {', '.join(spec.aliases)})" if spec.aliases else ""
        typer.echo(f"{name}{aliases}\n  {spec.summary}\n  extensions: {', '.join(spec.extensions)}")
        gaps = [describe(gap) for gap in spec.cannot_express]
        typer.echo("  cannot express:" + (" nothing" if not gaps else "".join(f"\n    {gap}" for gap in gaps)))
        for note in spec.raw.get("normalizes", ()):
            typer.echo(f"  normalizes: {note}")


def main() -> None:
    """Entry point of the s3repl script."""
    app(prog_name="s3repl")
