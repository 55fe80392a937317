"""The conventions of the command line: --version, choices, --format json documents, --var/--var-file, the help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib

import pytest
from conftest import ROOT
from typer.testing import CliRunner

import converter
from converter.cli import app
from converter.context import ReadContext

TWO = ROOT / "samples" / "two-destinations"
COMMANDS = ("convert", "validate", "diff", "show", "iam", "formats")


def test_version_is_the_package_version(cli):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout == f"s3repl {version}\n" and converter.__version__ == version


@pytest.mark.parametrize("words,expected", [
    ("convert x --to ter", ["terraform", "terraform-legacy", "terraform-json"]),
    ("convert x --from cl", ["cloudformation", "cloudformation-json", "cli-json"]),
    ("convert x --to xml --schema v", ["v1", "v2"]),
    ("convert x --to xml --shape w", ["wrapped"]),
    ("validate x --format s", ["sarif"]),
    ("iam x --to c", ["cloudformation", "cli-script"]),
])
def test_choices_complete_in_the_shell(words, expected):
    env = {**os.environ, "_S3REPL_COMPLETE": "complete_bash", "COMP_WORDS": f"s3repl {words}",
           "COMP_CWORD": str(len(words.split()))}
    run = subprocess.run([sys.executable, "-c", "from converter.cli import main; main()"], env=env,
                         capture_output=True, text=True, check=False)
    assert sorted(run.stdout.split()) == sorted(expected), run.stderr


def test_aliases_are_accepted_where_a_format_is_named(cli):
    assert cli("convert", TWO / "cli-json.json", "--to", "XML", "--from", "aws-cli").stdout == (TWO / "s3-xml.xml").read_text()


def test_show_json_document(cli):
    result = cli("show", TWO / "cli-json.json", "--bucket", "src", "--format", "json")
    document = json.loads(result.stdout)
    assert document["version"] == 1 and [c["name"] for c in document["configurations"]] == ["src"]
    (configuration,) = document["configurations"]
    assert configuration["schema"] == ["V2"] and configuration["role"].startswith("arn:aws:iam::")
    assert [set(rule) for rule in configuration["rules"]] == [
        {"id", "status", "priority", "selects", "destination", "account", "storage_class", "features"}] * 2
    assert [(r["id"], r["priority"], r["storage_class"]) for r in configuration["rules"]] == [
        ("logs-to-us-west-2", 2, None), ("images-to-eu-west-1", 1, "ONEZONE_IA")]


def test_formats_json_document_says_what_the_text_says(cli):
    document = json.loads(cli("formats", "--format", "json").stdout)
    text = cli("formats").stdout
    assert [f["name"] for f in document["formats"]] == list(converter.formats.MODULES)
    for spec in document["formats"]:
        assert set(spec) == {"name", "aliases", "summary", "extensions", "writes", "cannot_express", "normalizes"}
        assert spec["writes"] == (spec["name"] in converter.formats.writable())
        assert spec["summary"] in text
        for gap in spec["cannot_express"]:
            assert f"    {gap['path']}: {gap['reason']}" in text


def test_convert_json_document_carries_the_result_warnings_and_refusals(cli, tmp_path):
    done = cli("convert", TWO / "cli-json.json", "--to", "xml", "--format", "json")
    document = json.loads(done.stdout)
    assert done.exit_code == 0 and document["converted"] and document["output"] == (TWO / "s3-xml.xml").read_text()
    assert set(document) == {"version", "exit_code", "converted", "findings", "diagnostics", "written", "output"}

    from test_lossy import CLI_INPUT

    request = tmp_path / "in.json"
    request.write_text(json.dumps(CLI_INPUT))
    lossy = json.loads(cli("convert", request, "--to", "xml", "--format", "json").stdout)
    assert lossy["exit_code"] == 1 and not lossy["converted"] and lossy["output"] is None
    refused = {d["path"] for d in lossy["diagnostics"]}
    assert refused == {"Token", "ExpectedBucketOwner"} and {d["severity"] for d in lossy["diagnostics"]} == {"error"}
    assert [f["code"] for f in lossy["findings"]] == ["W160"]  # the checks' findings, apart
    out = tmp_path / "out.xml"
    allowed = cli("convert", request, "--to", "xml", "--format", "json", "--allow-lossy", "-o", out)
    document = json.loads(allowed.stdout)
    assert allowed.exit_code == 0 and document["written"] == [str(out)] and document["output"] is None
    assert "<ExistingObjectReplication>" in out.read_text()
    assert {d["path"] for d in document["diagnostics"]} == refused  # the same fields, now warnings
    assert {d["severity"] for d in document["diagnostics"]} == {"warning"}

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"Role": "arn:aws:iam::111122223333:role/r", "Rules": [
        {"ID": "a", "Priority": 1, "Status": "Enabled", "Filter": {"Tag": {"Key": "k", "Value": "v"}},
         "DeleteMarkerReplication": {"Status": "Enabled"}, "Destination": {"Bucket": "arn:aws:s3:::d-bucket"}}]}))
    rejected = json.loads(cli("convert", bad, "--to", "xml", "--format", "json").stdout)
    assert [f["code"] for f in rejected["findings"]] == ["E110"] and rejected["exit_code"] == 1
    assert rejected["diagnostics"][-1]["code"] == "not-converted"


@pytest.mark.parametrize("command", ["convert", "show", "validate", "diff", "iam"])
def test_var_and_var_file_reach_every_reader(cli, monkeypatch, tmp_path, command):
    from converter.formats import cli_json

    seen = []
    original = cli_json.read
    monkeypatch.setattr(cli_json, "read", lambda source, context=None: seen.append(context) or original(source, context))
    tfvars = tmp_path / "prod.tfvars"
    tfvars.write_text('env = "prod"\n')
    more = tmp_path / "more.tfvars.json"
    more.write_text('{"env": "dev"}')
    monkeypatch.setenv("TF_VAR_region", "eu-west-1")
    inputs = {"diff": [TWO / "cli-json.json", TWO / "cli-json.json"]}.get(command, [TWO / "cli-json.json"])
    extra = {"convert": ["--to", "xml"], "iam": ["--bucket", "src"]}.get(command, [])
    result = cli(command, *inputs, *extra, "--var", "var.env=test", "--var", "Role=arn:aws:iam::1:role/x",
                 "--var-file", tfvars, "--var-file", more)
    assert result.exit_code == 0, result.stderr
    assert seen and all(isinstance(c, ReadContext) for c in seen)
    assert seen[0].variables == {"var.env": "test", "Role": "arn:aws:iam::1:role/x"}
    assert seen[0].var_files == (str(tfvars), str(more))  # in order: later files win
    assert seen[0].environ.get("TF_VAR_region") == "eu-west-1"


def test_a_missing_var_file_is_a_usage_error(cli, tmp_path):
    result = cli("show", TWO / "cli-json.json", "--var-file", tmp_path / "nope.tfvars")
    assert result.exit_code == 2 and "nope.tfvars: error: no such variables file" in result.stderr


def help_text(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "80", "TERM": "dumb", "NO_COLOR": "1"},
                                prog_name="s3repl")
    assert result.exit_code == 0
    return result.stdout


@pytest.mark.parametrize("command", [(), *[(c,) for c in COMMANDS]], ids=["s3repl", *COMMANDS])
def test_help_reads_well_on_80_columns(command, snapshot):
    text = help_text(*command)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert text == snapshot


@pytest.mark.parametrize("args,files", [
    (("--to", "xml", "--bucket", "src"), ["src.xml"]),
    (("--to", "xml"), ["configuration-1.xml"]),  # no source bucket to name it after
    (("--to", "terraform", "--bucket", "src"), ["src.tf"]),
    (("--to", "cloudformation", "--bucket", "src", "--with-iam"), ["src.yaml"]),
])
def test_o_dir_slash_writes_into_the_directory(cli, tmp_path, args, files):
    out = tmp_path / "out"
    result = cli("convert", TWO / "cli-json.json", *args, "-o", f"{out}/")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == files
    again = cli("convert", TWO / "cli-json.json", *args, "-o", out)  # an existing directory: the same
    assert again.exit_code == 2 and "pass --force to replace it" in again.stderr
