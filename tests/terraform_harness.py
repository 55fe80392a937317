"""Real `terraform` with the AWS provider from a local filesystem mirror, applying against the S3 emulator.

Needs `terraform` on the PATH and a provider mirror (a directory named registry.terraform.io, found with
`find / -maxdepth 4`); tests skip with one reason where either is missing. Everything runs offline: the CLI config
installs providers only from the mirror, into a plugin cache shared by the whole session.

    tf = Terraform(workdir, emulator, cache)
    tf.write("main.tf", text); tf.init(); tf.apply(); assert tf.plan() == 0
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

from emulator import CREDENTIALS, REGION

PROVIDER = '''terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws" }}
  }}
}}

# Every endpoint the provider calls points at the emulator; nothing reaches AWS.
provider "aws" {{
  region                      = "{region}"
  access_key                  = "{key}"
  secret_key                  = "{secret}"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  endpoints {{
    s3  = "{endpoint}"
    sts = "{endpoint}"
    iam = "{endpoint}"
  }}
}}
'''


@functools.cache
def mirror() -> Path | None:
    """The filesystem mirror holding the providers (the parent of a registry.terraform.io directory), if any."""
    found = subprocess.run(["find", "/", "-maxdepth", "4", "-name", "registry.terraform.io", "-type", "d"],
                           capture_output=True, text=True, check=False).stdout.split()
    # Only one that holds the provider (a half-filled plugin cache elsewhere has the same layout).
    held = [Path(f) for f in found if any((Path(f) / "hashicorp" / "aws").glob("*/*/terraform-provider-aws*"))
            or any((Path(f) / "hashicorp" / "aws").glob("terraform-provider-aws*.zip"))]
    return held[0].parent if held else None


def missing() -> str | None:
    """Why the provider oracle cannot run here, or None when terraform and the provider mirror are both present."""
    if not shutil.which("terraform"):
        return "terraform is not on the PATH (the provider-oracle tests need terraform >= 1.5 and an AWS provider mirror)"
    if mirror() is None:
        return "no Terraform provider mirror (a registry.terraform.io directory within 4 levels of /) holding hashicorp/aws"
    return None


def cli_config(directory: Path) -> Path:
    """A Terraform CLI config file in directory installing providers from the mirror only (offline)."""
    path = directory / "terraformrc"
    path.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror()}"\n  }}\n}}\n',
                    encoding="utf-8")
    return path


class TerraformError(AssertionError):
    """terraform exited with an error; the message holds its output."""


class Terraform:
    """One Terraform working directory whose provider talks to the emulator."""

    def __init__(self, workdir: Path, endpoint: str, shared: Path):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "provider.tf").write_text(PROVIDER.format(
            region=REGION, key=CREDENTIALS["aws_access_key_id"], secret=CREDENTIALS["aws_secret_access_key"],
            endpoint=endpoint), encoding="utf-8")
        cache = shared / "plugin-cache"
        cache.mkdir(exist_ok=True)
        config = shared / "terraformrc"
        if not config.exists():
            cli_config(shared)
        self.env = {**os.environ, "TF_CLI_CONFIG_FILE": str(config), "TF_PLUGIN_CACHE_DIR": str(cache),
                    "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1",
                    "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
                    "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"], "AWS_EC2_METADATA_DISABLED": "true"}
        for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "TF_LOG"):
            self.env.pop(name, None)

    def write(self, name: str, text: str) -> Path:
        """Write a file (relative to the working directory), creating folders."""
        path = self.workdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """terraform args... in the working directory; raises TerraformError on failure when check."""
        done = subprocess.run(["terraform", *args, "-no-color"], cwd=self.workdir, env=self.env, capture_output=True,
                              text=True, check=False, timeout=900)
        if check and done.returncode != 0:
            raise TerraformError(f"terraform {' '.join(args)} exited {done.returncode}:\n{done.stderr}\n{done.stdout[-4000:]}")
        return done

    def init(self) -> None:
        """terraform init, offline from the mirror."""
        self.run("init", "-input=false")

    def apply(self, *args: str) -> None:
        """terraform apply -auto-approve."""
        self.run("apply", "-auto-approve", "-input=false", "-parallelism=20", *args)

    def plan(self, *args: str) -> subprocess.CompletedProcess:
        """terraform plan -detailed-exitcode: returncode 0 no changes, 2 changes, 1 error."""
        return self.run("plan", "-detailed-exitcode", "-input=false", "-parallelism=20", *args, check=False)


# A versioned source bucket for a module: S3 refuses replication on a bucket without versioning.
VERSIONED = '''resource "aws_s3_bucket" "source" {{
  bucket = "{bucket}"
}}

resource "aws_s3_bucket_versioning" "source" {{
  bucket = aws_s3_bucket.source.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}
'''


def tags_in_order(rule: dict) -> dict:
    """A CLI-JSON rule with its And's tags sorted."""
    and_ = rule.get("Filter", {}).get("And")
    if and_ and "Tags" in and_:
        rule = {**rule, "Filter": {**rule["Filter"], "And": {**and_, "Tags": sorted(and_["Tags"], key=json.dumps)}}}
    return rule


def in_order(document: dict, tags: bool = True) -> dict:
    """A CLI-JSON document with its rules (and each And's tags) sorted: the provider keeps neither order (set, map)."""
    rules = [tags_in_order(rule) if tags else rule for rule in document.get("Rules", [])]
    return {**document, "Rules": sorted(rules, key=lambda r: json.dumps(tags_in_order(r), sort_keys=True))}
