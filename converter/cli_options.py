"""What the commands share: choices with "did you mean", --var/--var-file, the config file, report output."""

from __future__ import annotations

import difflib
import functools
import sys
from pathlib import Path

from .errors import UsageError, error

REPORT_FORMATS = ("text", "json", "sarif")
SCHEMAS = ("auto", "v1", "v2")
SHAPES = ("bare", "wrapped", "cli-input")
CONFIG_FILES = (".s3repl.toml", "pyproject.toml")


def suggest(value: str, known) -> str:
    """' (did you mean 'x'?)' for the closest known word, or ''."""
    close = difflib.get_close_matches(value.lower(), list(known), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Choice:
    """A typer parser for one of some words: aliases are accepted as their name, a mistyped one names the closest.

    choices and aliases may be functions, called the first time they are needed (the format list reads grammars/).
    """

    def __init__(self, choices, aliases=None):
        self._choices, self._aliases = choices, aliases or {}

    @functools.cached_property
    def choices(self) -> tuple[str, ...]:
        return tuple(self._choices() if callable(self._choices) else self._choices)

    @functools.cached_property
    def aliases(self) -> dict:
        return self._aliases() if callable(self._aliases) else self._aliases

    def __call__(self, value):
        if value is None or value in self.choices:
            return value
        wanted = str(value).strip().lower()
        if wanted in self.choices or wanted in self.aliases:
            return self.aliases.get(wanted, wanted)
        import typer

        raise typer.BadParameter(f"{value!r} is not one of {', '.join(self.choices)}"
                                 f"{suggest(wanted, [*self.choices, *self.aliases])}")

    def complete(self, incomplete: str) -> list[str]:
        """Shell completion: the choices that start with what is typed."""
        return [c for c in self.choices if c.startswith(incomplete.lower())]

    def metavar(self) -> str:
        """[a|b|c] for the help."""
        return f"[{'|'.join(self.choices)}]"


def _format_names():
    from .formats import MODULES

    return list(MODULES)


def _format_aliases():
    from . import grammar
    from .formats import MODULES

    return {alias: name for name in MODULES for alias in grammar.load(name).aliases}


def _target_names():
    from .formats import writable

    return writable()


FORMATS = Choice(_format_names, _format_aliases)
TARGETS = Choice(_target_names, _format_aliases)  # --to: the formats that write (terraform-plan only reads)


def read_context(var: list[str], var_file: list[Path], profile: str | None = None, region: str | None = None):
    """The ReadContext every reader gets: --var values, --var-file paths in order, the environment, the AWS profile
    and region for s3:// inputs."""
    from .cli import _variables
    from .context import ReadContext

    for path in var_file:
        if not Path(path).is_file():
            raise UsageError(error("unreadable", "no such variables file", file=str(path), hint="check the --var-file path"))
    return ReadContext(variables=_variables(var), var_files=tuple(str(p) for p in var_file), profile=profile, region=region)


def report_format(fmt: str | None, output: Path | None, allowed=REPORT_FORMATS) -> tuple[str, Path | None]:
    """The report format and file: --output json|sarif|text still means the format for one release, with a warning."""
    if output is not None and fmt is None and str(output) in allowed:
        print(f"s3repl: warning: --output {output} is deprecated and will name a file in the next release; "
              f"use --format {output}", file=sys.stderr)
        return str(output), None
    return fmt or "text", output


def refuse_format_as_output(output: str | None) -> None:
    """convert -o json would write a file called json: refuse the likely slip, ./json writes one."""
    if output is not None and str(output) in REPORT_FORMATS:
        raise UsageError(error("usage", f"-o/--output names the output file, and {str(output)!r} looks like a format",
                               hint=f"use --format {output} for a {output} report, or -o ./{output} for a file of that name"))


def put(text: str, output: Path | None) -> None:
    """A report on stdout, or into -o FILE (replaced: reports are regenerated each run)."""
    from .cli import _write_file

    if output is None:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    else:
        _write_file(output, text if text.endswith("\n") else text + "\n", force=True)


def find_config(start: Path | None = None) -> tuple[Path, dict] | None:
    """The nearest .s3repl.toml, or pyproject.toml with [tool.s3repl], from start (the cwd) upward."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_FILES:
            path = folder / name
            if not path.is_file():
                continue
            import tomllib  # only once a file is found: most runs have none (its import is ~1.5% of a cold start)

            try:
                text = path.read_text(encoding="utf-8")
                if name == "pyproject.toml" and "s3repl" not in text:
                    continue  # another tool's project file: not ours to parse, or to fail on
                data = tomllib.loads(text)
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise UsageError(error("config", f"cannot read the configuration file ({exc})", file=str(path))) from None
            table = data if name == ".s3repl.toml" else data.get("tool", {}).get("s3repl")
            if table is not None:
                return path, table
    return None


def default_map(group, path: Path, table: dict) -> dict:
    """click's default_map from a config table: top-level keys for every command with that option,
    [command] tables for one command; keys are the long option names (ignore, var-file, max-bytes)."""
    commands = group.commands
    out: dict[str, dict] = {name: {} for name in commands}

    def apply(command, name: str, key: str, value) -> bool:
        for param in command.params:
            if f"--{key.replace('_', '-')}" in param.opts:
                out[name][param.name] = [value] if getattr(param, "multiple", False) and isinstance(value, str) else value
                return True
        return False

    for key, value in table.items():
        if isinstance(value, dict) and key in commands:
            for inner, inner_value in value.items():
                if not apply(commands[key], key, inner, inner_value):
                    known = [o[2:] for p in commands[key].params for o in getattr(p, "opts", ()) if o.startswith("--")]
                    raise UsageError(error("config", f"[{key}] has no option {inner!r}{suggest(inner, known)}",
                                           file=str(path)))
        elif not any([apply(command, name, key, value) for name, command in commands.items()]):
            known = {o[2:] for c in commands.values() for p in c.params for o in getattr(p, "opts", ()) if o.startswith("--")}
            raise UsageError(error("config", f"no command has an option {key!r}{suggest(key, known | set(commands))}",
                                   file=str(path)))
    return out
