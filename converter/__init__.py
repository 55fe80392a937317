"""s3repl: convert S3 replication configurations between formats; the public API."""

from __future__ import annotations

import gc

# Importing builds objects that live to the end (pydantic's classes, our models): Python's cycle collector, run by
# allocation counts, would only walk them (~3% of a cold start). Back on at the end of this module.
_COLLECTING = gc.isenabled()
gc.disable()

import re  # noqa: E402
import warnings  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable, Iterable  # noqa: E402

__all__ = ["read", "read_located", "loads", "write", "convert", "select", "validate", "diff"]
__version__ = "0.1.0"

# Loaded first, so that the functions `validate` and `diff` defined below, not these modules, are converter.validate
# and converter.diff.
from . import diff as _diff  # noqa: E402
from . import validate as _checks  # noqa: E402


@contextmanager
def _paused_gc():
    """Reading and writing without Python's cycle collector, which is back on (if it was on) when they return.

    Parsers build many objects that live to the end; the collector, run by allocation counts, walks them again and
    again: pausing it makes a 1,000-rule Terraform read 3x faster, others 1.3x (bench/run.py). What a read leaves
    as cyclic garbage is freed at the next collection after it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@_paused_gc()
def loads(text: str, fmt: str | None = None, *, name: str = "<string>"):
    """The configurations in a text; fmt is detected when not given."""
    from .sources import Source, refuse_surrogates

    source = Source(name, text.removeprefix("\ufeff"))
    configs = _module_for(source, fmt).read(source)
    refuse_surrogates(source.text, configs, name)
    return configs


def _module_for(source, fmt: str | None):
    """The format module that reads a document: the one named, or the one detected; an empty input is refused."""
    from . import formats
    from .errors import InputError, error

    if not source.text.strip():
        raise InputError(error("empty", "the input is empty", file=source.name))
    return _Guarded(formats.module(formats.canonical_name(fmt) if fmt else formats.detect(source)))


class _Guarded:
    """A format module whose readers answer a structure they do not expect with InputError, never a traceback.

    The readers check what they know; this is the net under them for shapes nobody foresaw (tests/test_fuzz.py).
    """

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        attribute = getattr(self._module, name)
        if name not in ("read", "read_module", "locator", "versioning"):
            return attribute

        def guarded(*args, **kwargs):
            from .errors import InputError, S3ReplError, error

            try:
                return attribute(*args, **kwargs)
            except S3ReplError:
                raise
            except RecursionError:
                raise InputError(error("too-deep", "the document is nested too deeply to read",
                                       file=getattr(args[0] if args else None, "name", None))) from None
            except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
                first = args[0] if args else None
                names = [s.name for s in first] if isinstance(first, list) else [getattr(first, "name", None)]
                detail = str(exc)[:80] or type(exc).__name__  # not the exception's class: a name for programmers
                raise InputError(error("structure", f"a {self._module.NAME} document does not have this shape "
                                       f"({detail})", file=", ".join(filter(None, names)),
                                       hint="check the file against the format, or report it if it is valid")) from None

        return guarded


@dataclass
class Located:
    """A configuration with where it was read from, for diagnostics that point into the user's file."""

    config: object
    file: str
    where: Callable  # model location -> (file, line, column) or None
    versioned: Callable | None = None  # bucket value -> versioning Enabled in this input: True, False, None


@_paused_gc()
def read_located(inputs: str | Path | Iterable[str | Path], fmt: str | None = None, *, bucket: str | None = None,
                 max_bytes: int | None = None, progress: Callable | None = None, context=None,
                 on_error: Callable | None = None) -> list[Located]:
    """The configurations in files, directories, '-' (stdin) or s3://BUCKET (a live bucket), each with its source map.

    progress wraps the iteration over the inputs (a progress bar on a terminal); context (a context.ReadContext) holds
    what evaluation may use (--var, --var-file, the environment). A directory's files that mention no replication
    configuration are skipped. on_error, when given, receives each input's read error (S3ReplError) and the rest are
    read; without it the first error is raised.
    """
    from . import formats, live, sources
    from .context import ReadContext
    from .errors import S3ReplError

    context = context or ReadContext()

    def attempt(read, *args):
        if on_error is None:
            return read(*args)
        try:
            return read(*args)
        except S3ReplError as exc:
            on_error(exc)
            return []

    paths = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    items: list[Located] = []
    for path in (progress or iter)(paths):
        if live.is_live(path):  # boto3 is imported only here
            items += attempt(live.read_located, path, context)
            continue
        found = attempt(sources.load, str(path), max_bytes or sources.MAX_INPUT_BYTES)
        module = []
        if Path(path).is_dir():  # a Terraform directory is one module: its files refer to each other
            module = [s for s in found if s.name.lower().endswith((".tf", ".tf.json"))]
            if module and (fmt is None or formats.canonical_name(fmt).startswith("terraform")):
                # Variable values (terraform.tfvars.json, *.auto.tfvars.json) are the module's inputs, not documents.
                found = [s for s in found if s not in module and not s.name.lower().endswith(".tfvars.json")]
            else:
                module = []
            found = [s for s in found if sources.mentions_replication(s.text)]
        terraform = lambda: attempt(_located, _Guarded(formats.module("terraform")), module, module[0].name, context)  # noqa: E731
        related = any(sources.mentions_replication(s.text) for s in module)
        if related:
            items += terraform()
        for source in found:
            items += attempt(lambda s: _located(_module_for(s, fmt), [s], s.name, context), source)
        if module and not related and not found:  # nothing here mentions replication: its reader says what is missing
            items += terraform()
    chosen = select([item.config for item in items], bucket)
    if len(chosen) == len(items):
        return [Located(c, i.file, i.where, i.versioned) for i, c in zip(items, chosen)]
    return [i for i in items if any(i.config is c for c in chosen)]


def _located(module, found: list, file: str, context) -> list[Located]:
    from functools import cache

    from .sources import refuse_surrogates

    configs = module.read_module(found, context) if len(found) > 1 else module.read(found[0], context)
    for source in found:
        refuse_surrogates(source.text, configs, source.name)
    # Source maps and versioning facts read the input again: only when a diagnostic asks for them.
    locator = cache(lambda: module.locator(found if len(found) > 1 else found[0], configs))
    facts = cache(lambda: module.versioning(found))

    def where(index):
        def at(loc):
            spot = locator()(index, loc)
            return spot if spot is None or len(spot) == 3 else (file, *spot)
        return at

    versioned = (lambda value: facts()(value)) if hasattr(module, "versioning") else None
    return [Located(config, file, where(i), versioned) for i, config in enumerate(configs)]


def read(inputs: str | Path | Iterable[str | Path], fmt: str | None = None, *, bucket: str | None = None,
         max_bytes: int | None = None, context=None):
    """The configurations in files, directories or '-' (stdin); --bucket names or picks one."""
    return [item.config for item in read_located(inputs, fmt, bucket=bucket, max_bytes=max_bytes, context=context)]


def _names(config) -> set[str]:
    from .values import Ref

    names = {config.origin} if config.origin else set()
    if isinstance(config.bucket, str):
        names.add(config.bucket)
    elif isinstance(config.bucket, Ref):
        names |= {config.bucket.target, config.bucket.display()}
    return names


def select(configs: list, bucket: str | None) -> list:
    """Name the configurations that have no source bucket, or pick the one called `bucket`."""
    from .errors import UsageError, error
    from .values import unresolved

    if bucket is None:
        return configs
    configs = [c if c.bucket is not None else c.model_copy(update={"bucket": bucket}) for c in configs]
    if len(configs) == 1 and bucket not in _names(configs[0]) and unresolved(configs[0].bucket):
        return [configs[0].model_copy(update={"bucket": bucket})]  # names a bucket the input only refers to
    if len(configs) <= 1:
        return configs
    picked = [c for c in configs if bucket in _names(c)]
    if not picked:
        found = ", ".join(sorted(n for c in configs for n in _names(c))) or "none named"
        raise UsageError(error("no-such-bucket", f"no configuration for bucket {bucket!r}", hint=f"found: {found}"))
    return picked


def _file_name(config, index: int, extension: str) -> str:
    from .values import Ref

    label = config.bucket if isinstance(config.bucket, str) else (
        config.origin or (config.bucket.target if isinstance(config.bucket, Ref) else f"configuration-{index + 1}"))
    return safe_file_name(label, extension, f"configuration-{index + 1}")


# Names Windows reserves in every directory, whatever the extension:
# https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file#naming-conventions
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_file_name(label: str, extension: str, fallback: str = "configuration") -> str:
    """A file name from a bucket name or logical ID that stays inside the output directory on every system."""
    # Bucket names and logical IDs become file names: keep them inside the output directory.
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", str(label)).strip("._")[:200] or fallback
    if safe.split(".")[0].lower() in _RESERVED:
        safe = "_" + safe
    return safe + extension


def distinct_names(named: list[tuple[str, str, object]], warn: Callable, extension: str) -> dict[str, object]:
    """File name -> item for (wanted name, label, item) pairs; names that collide, case-insensitively too (macOS and
    Windows), get -2, -3... and a warning naming both labels, so no file replaces another."""
    out, taken = {}, {}
    for name, label, item in named:
        stem = name.removesuffix(extension)
        final, number = name, 1
        while final.lower() in taken:
            number += 1
            final = f"{stem}-{number}{extension}"
        if final != name:
            from .errors import error

            warn(error("file-name", f"{label!r} and {taken[name.lower()]!r} both make the file name {name}: "
                       f"wrote {label!r} to {final}", severity="warning"))
        taken[final.lower()] = label
        out[final] = item
    return out


def _named(ref) -> str:
    return ref.display() if ref.kind != "expression" else f"the expression {ref.display()}"


def _var_name(ref, loc) -> str:
    """The NAME to pass as --var NAME=VALUE: the reference itself, or the field path for an expression."""
    from .grammar import api_path

    return api_path(loc) if ref.kind == "expression" else ref.display()


def prepare(config, fmt: str, *, schema: str = "auto", allow_lossy: bool = False,
            variables: dict[str, str] | None = None, options=None, warn: Callable | None = None):
    """A configuration made ready for a target: schema applied, references resolved, losses refused or dropped."""
    from . import formats, lossy, normalize
    from .errors import Refusal, error
    from .grammar import api_path
    from .values import resolve_all

    warn = warn or (lambda diag: warnings.warn(diag.render(), stacklevel=3))
    config = normalize.apply_schema(config, schema)
    mixed = normalize.mixed_warning(config) if schema == "auto" else None
    if mixed:
        warn(mixed)
    if formats.module(fmt).NEEDS_LITERALS:
        config, left = resolve_all(config, variables or {}, api_path)
        left = [(loc, ref) for loc, ref in left if loc[0] != "bucket"]  # written only by cli-input, which checks
        if left:
            raise Refusal([error("unresolved-reference", f"{_named(ref)} is a reference and {fmt} needs a literal",
                                 path=api_path(loc), hint=f"pass --var {_var_name(ref, loc)}=VALUE") for loc, ref in left])
    found = lossy.losses(config, fmt, options)
    if found and not allow_lossy:
        raise Refusal([loss.diagnostic(fmt, lossy_allowed=False) for loss in found])
    for loss in found:
        warn(loss.diagnostic(fmt, lossy_allowed=True))
    config = lossy.apply_all(config, found)
    return config


@_paused_gc()
def write(configs: list, fmt: str, *, schema: str = "auto", allow_lossy: bool = False,
          variables: dict[str, str] | None = None, shape: str = "bare", warn: Callable | None = None,
          extra: dict | None = None) -> str | dict[str, str]:
    """The text of configurations in a format: one string, or file name -> text when the format holds one per file.

    extra: more for the writer (CloudFormation resources, Terraform appendix), as --with-iam adds.
    """
    from . import formats, grammar
    from .errors import Refusal, error

    fmt = formats.canonical_name(fmt)
    warn = warn or (lambda diag: warnings.warn(diag.render(), stacklevel=2))
    options = formats.WriteOptions(shape=shape, warn=warn, **(extra or {}))
    module = formats.module(fmt)
    if not configs:
        raise Refusal(error("no-configuration", "the input holds no replication configuration"))
    problems, ready = [], []
    for config in configs:
        try:
            ready.append(prepare(config, fmt, schema=schema, allow_lossy=allow_lossy, variables=variables,
                                 options=options, warn=warn))
        except Refusal as exc:
            label = config.bucket if isinstance(config.bucket, str) else config.origin
            problems += [d.at(file=label) for d in exc.diagnostics] if len(configs) > 1 else exc.diagnostics
    if problems:
        raise Refusal(problems)
    if module.MULTI or len(ready) == 1:
        return module.write(ready, options)
    extension = grammar.load(fmt).extensions[0]
    named = [(_file_name(c, i, extension), str(c.bucket if isinstance(c.bucket, str) else c.origin), c)
             for i, c in enumerate(ready)]
    return {name: module.write([c], options) for name, c in distinct_names(named, warn, extension).items()}


def convert(inputs, to: str, *, from_: str | None = None, bucket: str | None = None, context=None,
            **options) -> str | dict[str, str]:
    """Read inputs and write them in another format (see write for the options)."""
    return write(read(inputs, from_, bucket=bucket, context=context), to, **options)


def validate(inputs, fmt: str | None = None, *, bucket: str | None = None, max_bytes: int | None = None,
             context=None) -> list:
    """Every finding of the S3 checks for the configurations in the inputs, located in the user's files."""
    return [finding for item in read_located(inputs, fmt, bucket=bucket, max_bytes=max_bytes, context=context)
            for finding in located_findings(item)]


@_paused_gc()
def located_findings(item: Located) -> list:
    """The findings for one read configuration, with file, line and column."""
    out = []
    for finding in _checks.validate(item.config, _checks.Context(item.versioned)):
        spot = item.where(finding.pointer) if finding.pointer is not None else None
        out.append(finding.at(file=spot[0], line=spot[1], column=spot[2]) if spot else finding.at(file=item.file))
    return out


def diff(a, b, *, from_a: str | None = None, from_b: str | None = None, bucket: str | None = None,
         variables: dict[str, str] | None = None, context=None):
    """The semantic differences between two inputs (a converter.diff.Report; .outcome is equal, different or undecided)."""
    left, right = read(a, from_a, bucket=bucket, context=context), read(b, from_b, bucket=bucket, context=context)
    from .live import bindings, is_live

    if is_live(a) != is_live(b):  # code against a live bucket: the code's references to that bucket are it
        code, live = (right, left) if is_live(a) else (left, right)
        variables = {**bindings(code, live), **(variables or {})}
    return _diff.diff(left, right, variables, (str(a), str(b)))


if _COLLECTING:
    gc.enable()
