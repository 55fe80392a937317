"""pre-commit entry points: validate the staged files that hold replication configurations; diff two files."""

from __future__ import annotations

import sys


def _holds_replication(path: str) -> bool:
    """Whether a staged file looks like one that holds a replication configuration."""
    from .formats import known_extension
    from .sources import mentions_replication

    if not known_extension(path):
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20).decode("utf-8", "replace")
    except OSError:
        return False
    return mentions_replication(head)


def main(argv: list[str] | None = None) -> int:
    """s3repl-hook validate FILE... | s3repl-hook diff A B"""
    from .cli import app

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("validate", "diff"):
        print("usage: s3repl-hook validate FILE... | s3repl-hook diff A B", file=sys.stderr)
        return 2
    if args[0] == "validate":
        files = [f for f in args[1:] if _holds_replication(f)]
        if not files:
            return 0
        args = ["validate", *files]
    try:
        code = app(args=args, prog_name="s3repl", standalone_mode=False)  # returns the typer.Exit code
    except Exception as exc:  # click's own exceptions (usage) carry an exit code
        if getattr(exc, "exit_code", None) is None:
            raise
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
