"""The stack's own floor for a cold start: a typer app with one pydantic model and a command with convert's options.

typer 0.2x builds a pydantic TypeAdapter for every option of the command it runs, so this costs more than
`python -c "import typer, pydantic"`; bench/run.py times both beside `s3repl convert`.
"""

from pathlib import Path
from typing import List, Optional

import typer
from pydantic import BaseModel


class Model(BaseModel):
    """One model, as any pydantic program has."""

    name: str = ""


app = typer.Typer()


@app.command()
def convert(inputs: List[str] = typer.Argument(...), to: str = typer.Option(..., "--to"),
            from_: Optional[str] = typer.Option(None, "--from"), output: Optional[Path] = typer.Option(None, "--output"),
            bucket: Optional[str] = typer.Option(None, "--bucket"), schema: str = typer.Option("auto", "--schema"),
            allow_lossy: bool = typer.Option(False, "--allow-lossy"), var: List[str] = typer.Option([], "--var"),
            shape: str = typer.Option("bare", "--shape"), force: bool = typer.Option(False, "--force"),
            max_bytes: int = typer.Option(1, "--max-bytes"), no_validate: bool = typer.Option(False, "--no-validate"),
            with_iam: bool = typer.Option(False, "--with-iam"), source_kms_key: List[str] = typer.Option([], "--source-kms-key"),
            source_account: Optional[str] = typer.Option(None, "--source-account")) -> None:
    """Read nothing, write nothing."""
    print(Model(name=to).name)


@app.command()
def other() -> None:
    """A second command, so that typer keeps command names as s3repl has them."""


if __name__ == "__main__":
    app()
