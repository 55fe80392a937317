"""The s3repl command line: a thin typer layer over the API that renders diagnostics and sets exit codes."""

from __future__ import annotations

import functools
import gc
import os
import sys
from pathlib import Path
from typing import List, Optional

# Importing typer and declaring the commands below build objects that live to the end: Python's cycle collector,
# run by allocation counts, would only walk them (~3% of a cold start). Back on at the end of this module.
_COLLECTING = gc.isenabled()
gc.disable()

import typer  # noqa: E402

from . import __version__  # noqa: E402
from .cli_options import FORMATS, REPORT_FORMATS, SCHEMAS, SHAPES, TARGETS, Choice  # noqa: E402
from .cli_options import put as _put  # noqa: E402
from .cli_options import read_context as _context  # noqa: E402
from .cli_options import report_format as _report_format  # noqa: E402
from .errors import Diagnostic, S3ReplError, UsageError, error  # noqa: E402

app = typer.Typer(add_completion=True, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="Convert Amazon S3 replication configurations between formats, without silent loss. "
                       "Defaults come from .s3repl.toml, or pyproject.toml's tool.s3repl table (see the README).")

def _choice(choice: Choice, default, *decls: str, help: str, metavar: str | None = None):
    """An option taking one of choice's words: listed in --help, completed by the shell, "did you mean" when mistyped."""
    return typer.Option(default, *decls, parser=choice, metavar=metavar or choice.metavar(),
                        autocompletion=choice.complete, help=help)


def _format_option(default, *decls: str, help: str, choice: Choice = FORMATS):
    return _choice(choice, default, *decls, metavar="FORMAT", help=help)


def _format(choices=("text", "json"), help: str = "Report format (text when omitted)."):
    return _choice(Choice(choices), None, "--format", help=help)


def _formats_epilog() -> str:
    from .formats import MODULES

    return "\b\nFORMAT is one of (or an alias that s3repl formats lists):\n" + "\n".join(
        "  " + ", ".join(list(MODULES)[i:i + 4]) for i in range(0, len(MODULES), 4))


EPILOG = _formats_epilog()
# Options several commands share (typer reads these as declarations; each command gets its own value).
INPUTS = typer.Argument(..., metavar="INPUT", help="Files, directories, - for stdin, or s3://BUCKET.")
PROFILE = typer.Option(None, "--profile", metavar="NAME", help="AWS profile for s3:// inputs (else AWS_PROFILE).")
REGION = typer.Option(None, "--region", metavar="REGION", help="AWS region for s3:// inputs (else AWS_REGION).")
FROM = _format_option(None, "--from", "-f", help="Input format; detected when omitted.")
BUCKET = typer.Option(None, "--bucket", "-b", metavar="NAME", help="Name the source bucket, or pick one configuration.")
VAR = typer.Option([], "--var", metavar="NAME=VALUE", help="A value for a reference (a Terraform variable, a "
                   "CloudFormation parameter, or a field path).")
VAR_FILE = typer.Option([], "--var-file", metavar="FILE", help="Terraform variables (.tfvars or .tfvars.json); "
                        "repeatable, later files win.")
MAX_BYTES = typer.Option(20 * 1024 * 1024, "--max-bytes", metavar="N", help="Refuse inputs larger than this.")
REPORT = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to this file; stdout if omitted.")
FORCE = typer.Option(False, "--force", help="Replace existing output files.")


def _say(diag: Diagnostic) -> None:
    typer.echo(diag.render(), err=True)


def _handles_errors(command):
    """Turn our errors into one line per diagnostic on stderr and the error's exit code."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        import warnings

        from .errors import ReadWarning

        def show(message, category, *rest, **more):  # a reader's warning is a diagnostic line like the others
            if isinstance(message, ReadWarning):
                return _say(message.diagnostic)
            return default(message, category, *rest, **more)

        try:
            with warnings.catch_warnings():
                default, warnings.showwarning = warnings.showwarning, show
                warnings.simplefilter("always", ReadWarning)
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


_TEMPORARY = ".s3repl-tmp-"  # + pid + random: a later run removes those whose process is gone


def _write_file(path: Path, text: str, force: bool, executable: bool = False) -> None:
    """Write through a temporary file, then link it into place: without force, an exclusive link that fails when the
    path exists (a dangling symlink too), so two runs cannot both write it; with force, an atomic rename.

    Files get the mode the umask allows (0666, 0777 for scripts); --force keeps the replaced file's mode.
    """
    import errno
    import signal
    import stat
    import threading

    if path.is_dir():
        raise UsageError(error("is-a-directory", "the output path is a directory", file=str(path),
                               hint="name a file, or a directory for formats that write several files"))
    if not force and os.path.lexists(path):
        raise UsageError(error("exists", "the output file exists", file=str(path), hint="pass --force to replace it"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a directory should be, no permission
        raise UsageError(error("unwritable", f"cannot make the directory {path.parent}: {exc.strerror}",
                               file=str(path))) from None
    _remove_stale(path.parent)
    temporary = path.parent / f"{_TEMPORARY}{os.getpid()}-{os.urandom(4).hex()}"
    previous = signal.getsignal(signal.SIGTERM) if threading.current_thread() is threading.main_thread() else None
    if previous is not None:  # a kill during the write removes the temporary file (SIGINT raises KeyboardInterrupt)
        signal.signal(signal.SIGTERM, _terminated)
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o777 if executable else 0o666)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        if force and os.path.exists(path):
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        if force:
            os.replace(temporary, path)
        else:
            os.link(temporary, path, follow_symlinks=False)  # fails when path exists: no check-then-rename race
    except OSError as exc:
        code = "exists" if exc.errno == errno.EEXIST else "unwritable"
        raise UsageError(error(code, "the output file exists" if code == "exists" else f"cannot write: {exc.strerror}",
                               file=str(path), hint="pass --force to replace it" if code == "exists" else None)) from None
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum, frame):
    raise SystemExit(128 + signum)


def _remove_stale(directory: Path) -> None:
    """Remove temporary files left by s3repl runs that were killed (their process is gone)."""
    for leftover in directory.glob(f"{_TEMPORARY}*"):
        pid = leftover.name[len(_TEMPORARY):].split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                os.kill(int(pid), 0)
            except ProcessLookupError:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass  # alive, under another user


def _wants_directory(output: Path) -> bool:
    """-o DIR/ (a trailing slash) asks for a directory even for one file; Path drops the slash, so look at argv."""
    raw = {str(output) + "/", str(output) + os.sep}
    return output.is_dir() or any(arg in raw or arg.split("=", 1)[-1] in raw for arg in sys.argv[1:])


def _emit(result: str | dict[str, str], output: Optional[Path], force: bool, listing: list[str],
          extension: str = "") -> None:
    """Write to stdout, a file, or a directory (several files, or -o DIR/ for one); extension names a lone file."""
    if isinstance(result, dict):
        if output is None or (output.exists() and not output.is_dir()):
            raise UsageError(error("needs-directory", f"found {len(result)} configurations ({', '.join(listing)}); "
                                   "this format holds one per file", hint="pass -o DIR, or --bucket NAME to pick one"))
        existing = [name for name in result if not force and os.path.lexists(output / name)]
        if existing:  # before writing any: not half of a set (the exclusive link below still guards each file)
            raise UsageError(error("exists", f"the output files exist: {', '.join(existing)}", file=str(output),
                                   hint="pass --force to replace them"))
        for name, text in result.items():
            _write_file(output / name, text, force, executable=name.endswith(".sh"))
            typer.echo(f"wrote {output / name}", err=True)
    elif output is None:
        sys.stdout.write(result)
    elif _wants_directory(output):
        from . import safe_file_name

        _emit({safe_file_name(listing[0] if listing else "", extension): result}, output, force, listing)
    else:
        _write_file(output, result, force)


def _read_with_progress(inputs: list[str], fmt, bucket, max_bytes, context=None):
    """Read the inputs; on a terminal, with a progress bar when there are several (nothing on a pipe)."""
    from . import read_located

    many = len(inputs) > 1 or any(Path(i).is_dir() for i in inputs)
    progress = None
    if many and sys.stderr.isatty() and not os.environ.get("NO_COLOR") and not os.environ.get("CI"):
        from rich.console import Console
        from rich.progress import track

        progress = lambda paths: track(paths, description="Reading", console=Console(stderr=True), transient=True)  # noqa: E731
    return read_located(inputs, fmt, bucket=bucket, max_bytes=max_bytes, progress=progress, context=context)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"s3repl {__version__}")
        raise typer.Exit()


@app.callback()
@_handles_errors
def _defaults(ctx: typer.Context, version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                                                help="Print the version and exit.")) -> None:
    from .cli_options import default_map, find_config

    found = find_config()
    if found:  # checked against every command's options, also when main() built only the one that runs
        ctx.default_map = default_map(typer.main.get_command(app), *found)


@app.command(short_help="Convert between formats, refusing silent loss.", epilog=EPILOG)
@_handles_errors
def convert(
    inputs: List[str] = INPUTS,
    to: str = _format_option(..., "--to", "-t", help="Target format.", choice=TARGETS),
    from_: Optional[str] = FROM,
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="PATH", help="Output file or DIR/; stdout if "
                                         "omitted."),
    bucket: Optional[str] = BUCKET,
    schema: str = _choice(Choice(SCHEMAS), "auto", "--schema",
                          help="auto keeps the input's; v2 upgrades V1 rules; v1 downgrades or refuses."),
    allow_lossy: bool = typer.Option(False, "--allow-lossy", help="Write even when the target cannot hold a field; "
                                     "warn for each."),
    var: List[str] = VAR,
    var_file: List[Path] = VAR_FILE,
    profile: Optional[str] = PROFILE,
    region: Optional[str] = REGION,
    shape: str = _choice(Choice(SHAPES), "bare", "--shape",
                         help="cli-json shape: bare, wrapped (get-bucket-replication) or cli-input."),
    fmt: Optional[str] = _format(help="json: one document on stdout with the result, warnings and refusals."),
    force: bool = FORCE,
    max_bytes: int = MAX_BYTES,
    no_validate: bool = typer.Option(False, "--no-validate", help="Convert even what S3 would reject."),
    with_iam: bool = typer.Option(False, "--with-iam", help="Also the role and policies; the configuration points "
                                  "at the role."),
    source_kms_key: List[str] = typer.Option([], "--source-kms-key", metavar="ARN",
                                             help="With --with-iam: a KMS key of source objects."),
    source_account: Optional[str] = typer.Option(None, "--source-account", metavar="ID",
                                                 help="With --with-iam: the source account."),
    import_: bool = typer.Option(False, "--import", help="Adopt what exists: Terraform import blocks; CloudFormation "
                                 "DeletionPolicy Retain and a resources-to-import file beside -o."),
) -> None:
    """Convert replication configurations: s3repl convert export.json --to terraform --bucket src --with-iam"""
    from .cli_options import refuse_format_as_output

    refuse_format_as_output(output)
    run = functools.partial(_convert, inputs, to, from_, output, bucket, schema, allow_lossy, (var, var_file, profile,
                            region), shape, force, max_bytes, no_validate, with_iam, source_kms_key, source_account,
                            import_)
    if fmt != "json":
        run(say=_say, found=lambda finding: typer.echo(finding.render_finding(), err=True), json_mode=False)
        return
    from .report import convert_document

    code, document = convert_document(run)
    _put(document, None)
    raise typer.Exit(code)


def _convert(inputs, to, from_, output, bucket, schema, allow_lossy, reading, shape, force, max_bytes,
             no_validate, with_iam, source_kms_key, source_account, import_, *, say, found, json_mode):
    """convert's work; say receives each warning; returns what was not written (JSON mode without -o), and the files."""
    from . import located_findings, write
    from .errors import Refusal
    from .formats import canonical_name
    from .normalize import apply_schema

    context = _context(*reading)
    variables = dict(context.variables)
    items = _read_with_progress(inputs, from_, bucket, max_bytes, context)
    for item in items:  # the checks see what will be written: V1 rules upgraded, or downgraded
        item.config = apply_schema(item.config, schema)
    if not no_validate:
        findings = [f for item in items for f in located_findings(item)]
        for finding in findings:
            found(finding)
        if any(f.severity == "error" for f in findings):
            raise Refusal(error("not-converted", "not converted: S3 would reject the configuration",
                                hint="--no-validate converts anyway"))
    configs = [item.config for item in items]
    extra, extra_files = {}, {}
    if with_iam:
        from .iam import Options
        from .iam_output import bundle

        configs, extra, extra_files = bundle(configs, to, Options(tuple(source_kms_key), source_account), say, variables,
                                             import_)
    beside: dict[str, str] = {}
    if import_:
        extra = {**extra, "imports": True, "files": beside}
    result = write(configs, to, allow_lossy=allow_lossy, variables=variables, shape=shape, warn=say, extra=extra)
    listing = [str(c.bucket or c.origin or "?") for c in configs]
    # -o DIR/ (a trailing slash, or a directory that exists): files named after their source bucket go in it.
    directory = output is not None and (output.endswith(("/", os.sep)) or Path(output).is_dir())
    if (extra_files or directory) and isinstance(result, str):
        from . import _file_name, grammar

        result = {_file_name(configs[0], 0, grammar.load(canonical_name(to)).extensions[0]): result}
    if extra_files:  # the documents go beside the configuration: a directory
        if output is None:
            raise UsageError(error("needs-directory", "--with-iam writes the IAM documents beside the configuration",
                                   hint="pass -o DIR"))
        result = {**result, **extra_files}
    path = None if output is None else Path(output)
    if beside:
        result = _beside(result, beside, path, force)
    if json_mode and output is None:
        return result, []
    _emit(result, path, force, listing)
    return None, [str(path / name) for name in result] if isinstance(result, dict) else [str(path or "-")]


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


@app.command(short_help="Check every rule S3 enforces (text, JSON or SARIF).", epilog=EPILOG)
@_handles_errors
def validate(
    inputs: List[str] = INPUTS,
    from_: Optional[str] = FROM,
    bucket: Optional[str] = typer.Option(None, "--bucket", "-b", metavar="NAME", help="Pick one configuration."),
    fmt: Optional[str] = _format(REPORT_FORMATS),
    output: Optional[Path] = REPORT,
    select: List[str] = typer.Option([], "--select", metavar="CODES", help="Only these checks (E110, W15: a prefix "
                                     "selects a group); comma-separated or repeated."),
    ignore: List[str] = typer.Option([], "--ignore", metavar="CODES", help="Not these checks (as --select)."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too (exit 1)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Text: only what fails the run, no summary."),
    var: List[str] = VAR,
    var_file: List[Path] = VAR_FILE,
    profile: Optional[str] = PROFILE,
    region: Optional[str] = REGION,
    max_bytes: int = MAX_BYTES,
) -> None:
    """Check configurations against every rule S3 enforces: s3repl validate . --format sarif -o s3repl.sarif"""
    from . import ci

    fmt, output = _report_format(fmt, output)
    codes = ci.Codes.parse(select, ignore)
    context = _context(var, var_file, profile, region)
    found = codes.keep(ci.findings(inputs, from_, bucket=bucket, max_bytes=max_bytes, context=context))
    fails = ci.failing(found, strict)
    unreadable = [f for f in found if f.code == ci.READ_ERROR]
    if fmt == "text":
        for problem in unreadable:
            typer.echo(problem.render(), err=True)
    _put(ci.render(found, fmt, fails, quiet), output)
    if not quiet and fmt == "text":
        typer.echo(ci.summary(found), err=True)
    raise typer.Exit(2 if unreadable else 1 if fails else 0)


def _colour(text: str, style: str) -> str:
    """Colour for a terminal that wants it (NO_COLOR unset); plain text otherwise."""
    if not sys.stdout.isatty() or os.environ.get("NO_COLOR"):
        return text
    colour = {"equal": "green", "added": "green", "removed": "red", "changed": "yellow", "undecided": "magenta"}.get(style)
    return typer.style(text, fg=colour) if colour else text


@app.command(short_help="Compare two configurations by meaning (exit 0, 1 or 3).", epilog=EPILOG)
@_handles_errors
def diff(
    a: str = typer.Argument(..., metavar="A", help="One side: a file, a directory, -, or s3://BUCKET."),
    b: str = typer.Argument(..., metavar="B", help="The other side."),
    from_a: Optional[str] = _format_option(None, "--from-a", help="Format of A; detected when omitted."),
    from_b: Optional[str] = _format_option(None, "--from-b", help="Format of B; detected when omitted."),
    bucket: Optional[str] = BUCKET,
    var: List[str] = VAR,
    var_file: List[Path] = VAR_FILE,
    profile: Optional[str] = PROFILE,
    region: Optional[str] = REGION,
    fmt: Optional[str] = _format(),
    output: Optional[Path] = REPORT,
) -> None:
    """Compare two configurations by meaning (exit 0 equal, 1 different, 3 undecided): s3repl diff main.tf live.json"""
    import json

    from . import diff as run

    fmt, output = _report_format(fmt, output, ("text", "json"))
    context = _context(var, var_file, profile, region)
    report = run(a, b, from_a=from_a, from_b=from_b, bucket=bucket, variables=dict(context.variables), context=context)
    if fmt == "json":
        _put(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str), output)
    else:
        colour = output is None
        _put("\n".join(_colour(line, style) if colour else line for style, line in report.lines()), output)
    raise typer.Exit({"equal": 0, "different": 1}.get(report.outcome, 3))


@app.command(short_help="A table of the rules: what is replicated where.", epilog=EPILOG)
@_handles_errors
def show(
    inputs: List[str] = INPUTS,
    from_: Optional[str] = FROM,
    bucket: Optional[str] = typer.Option(None, "--bucket", "-b", metavar="NAME", help="Pick one configuration."),
    var: List[str] = VAR,
    var_file: List[Path] = VAR_FILE,
    profile: Optional[str] = PROFILE,
    region: Optional[str] = REGION,
    fmt: Optional[str] = _format(),
    output: Optional[Path] = REPORT,
    max_bytes: int = MAX_BYTES,
) -> None:
    """Show what is replicated where, one rule a line: s3repl show template.yaml"""
    from . import read
    from .show import document, table

    configs = read(inputs, from_, bucket=bucket, max_bytes=max_bytes, context=_context(var, var_file, profile, region))
    if fmt == "json":
        import json

        _put(json.dumps(document(configs), indent=2, ensure_ascii=False), output)
    else:
        _put("\n".join(table(config) for config in configs), output)


@app.command(short_help="The IAM role and policies a configuration needs.", epilog=EPILOG)
@_handles_errors
def iam(
    inputs: List[str] = INPUTS,
    to: str = _choice(Choice(("json", "cloudformation", "terraform", "cli-script")), "json", "--to", "-t",
                      help="The documents' format; cli-script writes into -o DIR/."),
    from_: Optional[str] = FROM,
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="PATH", help="Output file or DIR/; stdout if omitted."),
    bucket: Optional[str] = BUCKET,
    source_kms_key: List[str] = typer.Option([], "--source-kms-key", metavar="ARN", help="ARN of a KMS key that encrypts source "
                                             "objects."),
    source_account: Optional[str] = typer.Option(None, "--source-account", metavar="ID", help="The source account (else the role's)."),
    batch: bool = typer.Option(False, "--batch", help="Also S3 Batch Replication (trust and permissions)."),
    manifest_bucket: Optional[str] = typer.Option(None, "--manifest-bucket", metavar="NAME", help="Batch Replication manifest bucket."),
    report_bucket: Optional[str] = typer.Option(None, "--report-bucket", metavar="NAME", help="Batch Replication report bucket."),
    var: List[str] = VAR,
    var_file: List[Path] = VAR_FILE,
    profile: Optional[str] = PROFILE,
    region: Optional[str] = REGION,
    force: bool = FORCE,
) -> None:
    """Write the role's trust and permissions policies and the cross-account policies: s3repl iam export.json --bucket src"""
    import json

    from . import read
    from .grammar import api_path
    from .iam import Options, documents
    from .iam_output import notes, render_all
    from .values import resolve_all

    options = Options(tuple(source_kms_key), source_account, batch, manifest_bucket, report_bucket)
    context = _context(var, var_file, profile, region)
    variables = dict(context.variables)
    files: dict[str, str] = {}
    everything, pairs = {}, []
    for config in read(inputs, from_, bucket=bucket, context=context):
        config, _ = resolve_all(config, variables, api_path)
        docs = documents(config, options)
        for note in notes(config, docs, {"cloudformation": "cloudformation-iam"}.get(to, to)):
            _say(note)
        everything[str(config.bucket)] = docs
        pairs.append((config, docs))
    for written in render_all(to, pairs):
        for name, text in written.items():
            if name.lower() in {n.lower() for n in files}:  # a script names its files: no renaming
                raise UsageError(error("file-name", f"two configurations write the file {name}",
                                       hint="pass --bucket NAME to pick one"))
            files[name] = text
    # A directory: one that exists, a name without an extension, or any -o for cli-script (a script and its files).
    directory = output is not None and (output.is_dir() or not output.suffix or to == "cli-script")
    if directory:
        for name, text in files.items():
            _write_file(output / name, text, force, executable=name.endswith(".sh"))
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


@app.command(short_help="Provider v3 inline blocks to v4 resources, in place.")
@_handles_errors
def migrate(
    path: str = typer.Argument(..., help="A .tf or .tf.json file, or a module's directory."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print a unified diff; change nothing."),
    import_: bool = typer.Option(False, "--import", help="Also import blocks (Terraform 1.5+) that adopt what exists."),
    var: List[str] = VAR,
    var_file: List[Path] = VAR_FILE,
) -> None:
    """Provider v3 inline blocks to v4 resources, in place: s3repl migrate infra/ --import (exit 0, 1 refused)"""
    from . import migrate as run
    from .cli_options import read_context

    edits = run.plan(path, imports=import_, warn=_say, context=read_context(var, var_file))
    if not edits:
        typer.echo(f"s3repl: nothing to migrate in {path}", err=True)
    elif dry_run:
        sys.stdout.write("".join(edit.diff() for edit in edits))
    else:
        run.write(edits)
        for edit in edits:
            typer.echo(f"migrated {edit.path}: {', '.join(f'aws_s3_bucket.{b}' for b in edit.buckets)}", err=True)


@app.command(short_help="The formats, their aliases, and what each cannot express.")
@_handles_errors
def formats(fmt: Optional[str] = _format(), output: Optional[Path] = REPORT) -> None:
    """List the formats, their aliases and extensions, and what each cannot express."""
    import json

    from .report import formats_document

    document = formats_document()
    if fmt == "json":
        _put(json.dumps(document, indent=2, ensure_ascii=False), output)
        return
    lines = []
    for spec in document["formats"]:
        aliases = f" (aliases: {', '.join(spec['aliases'])})" if spec["aliases"] else ""
        lines.append(f"{spec['name']}{aliases}\n  {spec['summary']}\n  extensions: {', '.join(spec['extensions'])}")
        if not spec["writes"]:
            lines.append("  writes: no (an input format only)")
            continue
        gaps = [f"{gap['path']}: {gap['reason']}" for gap in spec["cannot_express"]]
        lines.append("  cannot express:" + (" nothing" if not gaps else "".join(f"\n    {gap}" for gap in gaps)))
        lines += [f"  normalizes: {note}" for note in spec["normalizes"]]
    _put("\n".join(lines), output)


def main() -> None:
    """Entry point of the s3repl script."""
    # A command is short, and what it builds (models, parse trees kept to locate findings) lives until it ends:
    # Python's cycle collector, run by allocation counts, would only walk it again and again (a 1,000-rule Terraform
    # convert: ~8% of the process after the read, which pauses it). Off for the command; frozen on the way out, nor
    # does the collection at exit walk it (~4% more; https://docs.python.org/3/library/gc.html#gc.freeze).
    gc.disable()
    try:
        _for(sys.argv[1:])(prog_name="s3repl")
    finally:
        gc.freeze()


def _for(args: list[str]) -> typer.Typer:
    """The app, with only the command the arguments name when they start with one: typer builds every command's
    options before it runs any (about 5% of a cold start); help, completion and mistyped commands get the whole app."""
    import copy

    name = args[0] if args else None
    chosen = [c for c in app.registered_commands if (c.name or typer.main.get_command_name(c.callback.__name__)) == name]
    if not chosen:
        return app
    one = copy.copy(app)
    one.registered_commands = chosen
    return one


if _COLLECTING:
    gc.enable()
