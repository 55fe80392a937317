"""What a reader may use to evaluate its input: --var values, --var-file files and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class ReadContext:
    """Inputs for evaluation: Terraform variables and CloudFormation parameters from the command line and environment.

    variables: --var NAME=VALUE as given (NAME is `var.x` for a Terraform input, a CloudFormation parameter or pseudo
    parameter such as `AWS::Region`); var_files: --var-file paths, in order (later wins, as Terraform's -var-file);
    environ: where TF_VAR_name values come from; profile and region: the AWS configuration for s3:// inputs.
    """

    variables: Mapping[str, str] = field(default_factory=dict)
    var_files: tuple[str, ...] = ()
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    profile: str | None = None
    region: str | None = None


EMPTY = ReadContext(environ={})
