"""validate in CI: unrelated files skipped, read errors in every report, --select/--ignore, suppressions, config, --strict."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT
from test_validate import TAG, config, v2

from converter import loads, validate, write

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json").read_text())
# E110 (delete markers with a tag filter), W150 (two rules, one priority, one destination) and W160.
FINDINGS = config(v2(Filter=TAG, DeleteMarkerReplication={"Status": "Enabled"}),
                  v2(ID="r2", Priority=1, ExistingObjectReplication={"Status": "Enabled"}))


def written(tmp_path, fmt: str, name: str, document=FINDINGS):
    """The configuration written in a format (with a source bucket), as a file."""
    configs = [c.model_copy(update={"bucket": "src-bucket"}) for c in loads(json.dumps(document), "cli-json")]
    path = tmp_path / name
    path.write_text(write(configs, fmt, allow_lossy=True, warn=lambda d: None))
    return path


def sarif(cli, *args):
    result = cli("validate", *args, "--format", "sarif")
    log = json.loads(result.stdout)
    import jsonschema

    jsonschema.validate(log, SCHEMA)
    return result.exit_code, log["runs"][0]


def test_a_directory_skips_files_without_replication_and_reports_read_errors_in_every_format(cli, tmp_path):
    (tmp_path / "package.json").write_text('{"name": "app", "version": "1.0.0"}')
    (tmp_path / "workflow.yaml").write_text("on: push\njobs: {}\n")
    (tmp_path / "good.json").write_text((ROOT / "samples" / "two-destinations" / "cli-json.json").read_text())
    assert cli("validate", tmp_path).exit_code == 0

    (tmp_path / "broken.json").write_text('{"Role": "arn:aws:iam::1:role/r", "Rules": [{"Destination": ')
    written(tmp_path, "cli-json", "findings.json")
    text = cli("validate", tmp_path)
    assert text.exit_code == 2  # an input could not be read
    assert "broken.json:1:" in text.stderr and " E110 " in text.stdout  # the other files are still checked
    as_json = json.loads(cli("validate", tmp_path, "--format", "json").stdout)
    unreadable = [f for f in as_json if f["code"] == "E000"]
    assert [(f["file"].endswith("broken.json"), f["severity"], f["line"]) for f in unreadable] == [(True, "error", 1)]
    assert "E110" in {f["code"] for f in as_json} and not any("package.json" in f.get("file", "") for f in as_json)
    code, run = sarif(cli, tmp_path)
    assert code == 2
    read_errors = [r for r in run["results"] if r["ruleId"] == "E000"]
    assert len(read_errors) == 1 and read_errors[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "broken.json")
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_an_unrelated_file_named_explicitly_is_still_an_error(cli, tmp_path):
    unrelated = tmp_path / "package.json"
    unrelated.write_text('{"name": "app"}')
    assert cli("validate", unrelated).exit_code == 2


@pytest.mark.parametrize("args,codes,exit_code", [
    ((), ["E110", "W150", "W160"], 1),
    (("--select", "W"), ["W150", "W160"], 0),
    (("--select", "W15,E110"), ["E110", "W150"], 1),
    (("--select", "w160", "--select", "E110"), ["E110", "W160"], 1),
    (("--ignore", "E110"), ["W150", "W160"], 0),
    (("--ignore", "E110", "--strict"), ["W150", "W160"], 1),
    (("--select", "E", "--ignore", "E110", "--strict"), [], 0),
])
def test_select_ignore_and_strict(cli, tmp_path, args, codes, exit_code):
    path = written(tmp_path, "cli-json", "c.json")
    result = cli("validate", path, "--format", "json", *args)
    assert [f["code"] for f in json.loads(result.stdout)] == codes
    assert result.exit_code == exit_code


def test_an_unknown_check_id_is_a_usage_error_with_a_suggestion(cli, tmp_path):
    path = written(tmp_path, "cli-json", "c.json")
    result = cli("validate", path, "--ignore", "W105")
    assert result.exit_code == 2 and "--ignore 'W105': no check has this id (did you mean 'E105'?)" in result.stderr


def test_quiet_prints_only_what_fails(cli, tmp_path):
    path = written(tmp_path, "cli-json", "c.json")
    loud = cli("validate", path)
    assert [line.split()[1] for line in loud.stdout.splitlines()] == ["E110", "W150", "W160"]
    assert loud.stderr.strip() == "s3repl validate: 1 error, 2 warnings"
    quiet = cli("validate", path, "-q")
    assert [line.split()[1] for line in quiet.stdout.splitlines()] == ["E110"] and quiet.stderr == ""
    assert quiet.exit_code == 1


def _line_of(path, code: str) -> int:
    (finding,) = [f for f in validate(path) if f.code == code]
    return finding.line


@pytest.mark.parametrize("fmt,name,comment_above", [
    ("terraform", "main.tf", True), ("terraform", "main.tf", False),
    ("cloudformation", "template.yaml", True), ("cloudformation", "template.yaml", False),
])
def test_inline_suppressions_in_hcl_and_yaml(cli, tmp_path, fmt, name, comment_above):
    path = written(tmp_path, fmt, name)
    line = _line_of(path, "E110")
    assert cli("validate", path).exit_code == 1
    lines = path.read_text().splitlines()
    indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
    wrong = "# s3repl:ignore W150 not this one"
    right = "# s3repl:ignore E110,W160 tags never delete here"
    for comment in (wrong, right):
        edited = list(lines)
        if comment_above:
            edited.insert(line - 1, indent + comment)
        else:
            edited[line - 1] += " " + comment
        path.write_text("\n".join(edited) + "\n")
        code, run = sarif(cli, path)
        e110 = next(r for r in run["results"] if r["ruleId"] == "E110")
        if comment is wrong:
            assert code == 1 and "suppressions" not in e110
        else:
            assert code == 0  # a suppressed error does not fail the run
            assert e110["suppressions"] == [{"kind": "inSource", "justification": "tags never delete here"}]
            text = cli("validate", path)
            assert " E110 " not in text.stdout and "1 suppressed" in text.stderr


def test_cloudformation_metadata_suppresses(cli, tmp_path):
    path = written(tmp_path, "cloudformation-json", "template.json")
    template = json.loads(path.read_text())
    (logical_id,) = [k for k, v in template["Resources"].items() if "ReplicationConfiguration" in v.get("Properties", {})]
    assert cli("validate", path).exit_code == 1
    template["Resources"][logical_id]["Metadata"] = {"s3repl": {"ignore": ["E110 reviewed: tags never delete", "W152"]}}
    path.write_text(json.dumps(template, indent=2))
    code, run = sarif(cli, path)
    assert code == 0
    suppressed = {r["ruleId"]: r["suppressions"][0]["justification"] for r in run["results"] if "suppressions" in r}
    assert suppressed == {"E110": "reviewed: tags never delete"}
    as_json = json.loads(cli("validate", path, "--format", "json").stdout)
    assert [f["code"] for f in as_json if "suppressed" not in f] == ["W150"]  # CloudFormation cannot hold W160's member
    template["Resources"][logical_id]["Metadata"]["s3repl"]["ignore"].append("W150")
    path.write_text(json.dumps(template, indent=2))
    as_json = json.loads(cli("validate", path, "--format", "json").stdout)
    assert {f["code"]: f["suppressed"]["justification"] for f in as_json} == {
        "E110": "reviewed: tags never delete", "W150": "Metadata s3repl ignore"}


@pytest.mark.parametrize("file,text", [
    (".s3repl.toml", '[validate]\nignore = ["E110"]\nstrict = true\n'),
    ("pyproject.toml", '[project]\nname = "x"\n\n[tool.s3repl.validate]\nignore = ["E110"]\nstrict = true\n'),
    ("pyproject.toml", '[tool.s3repl]\nstrict = true\nvalidate = { ignore = "E110" }\n'),  # one id: a string
])
def test_a_config_file_found_upward_gives_defaults(cli, tmp_path, monkeypatch, file, text):
    path = written(tmp_path, "cli-json", "c.json")
    (tmp_path / file).write_text(text)
    below = tmp_path / "a" / "b"
    below.mkdir(parents=True)
    monkeypatch.chdir(below)
    result = cli("validate", path, "--format", "json")
    assert [f["code"] for f in json.loads(result.stdout)] == ["W150", "W160"]
    assert result.exit_code == 1  # strict from the file: warnings fail
    assert cli("validate", path, "--ignore", "E110,W").exit_code == 0  # the command line wins


def test_a_config_file_with_an_unknown_option_is_refused(cli, tmp_path, monkeypatch):
    (tmp_path / ".s3repl.toml").write_text('[validate]\nstirct = true\n')
    monkeypatch.chdir(tmp_path)
    result = cli("validate", ROOT / "samples" / "two-destinations" / "cli-json.json")
    assert result.exit_code == 2 and "[validate] has no option 'stirct' (did you mean 'strict'?)" in result.stderr


@pytest.mark.parametrize("text,code,says", [
    ('strict = true\n[validate]\nignore = ["E110"]\n', 0, ""),  # options of validate only: convert runs
    ("[convert]\nstirct = true\n", 2, "[convert] has no option 'stirct'"),
    ("stirct = true\n", 2, "no command has an option 'stirct' (did you mean 'strict'?)"),
])
def test_the_script_checks_the_config_against_every_command_while_it_builds_only_the_one_that_runs(tmp_path, text, code,
                                                                                                   says):
    # main() gives typer only the command named (cold start); the config file is still read against them all.
    (tmp_path / ".s3repl.toml").write_text(text)
    source = ROOT / "samples" / "two-destinations" / "cli-json.json"
    run = subprocess.run([sys.executable, "-c", "from converter.cli import main; main()", "convert", str(source), "--to",
                          "s3-xml"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert run.returncode == code, run.stderr
    assert says in run.stderr
    if code == 0:
        assert run.stdout == (ROOT / "samples" / "two-destinations" / "s3-xml.xml").read_text()


def test_the_report_goes_to_a_file_with_o(cli, tmp_path):
    path = written(tmp_path, "cli-json", "c.json")
    out = tmp_path / "reports" / "s3repl.sarif"
    result = cli("validate", path, "--format", "sarif", "-o", out)
    assert result.exit_code == 1 and result.stdout == ""
    assert [r["ruleId"] for r in json.loads(out.read_text())["runs"][0]["results"]] == ["E110", "W150", "W160"]


def test_output_as_the_format_still_works_with_a_warning(cli, tmp_path):
    path = written(tmp_path, "cli-json", "c.json")
    result = cli("validate", path, "--output", "json")
    assert [f["code"] for f in json.loads(result.stdout)] == ["E110", "W150", "W160"]
    assert "--output json is deprecated" in result.stderr and "use --format json" in result.stderr


def test_the_readme_config_example_works(cli, tmp_path, monkeypatch):
    import re

    (example,) = re.findall(r"```toml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    (tmp_path / "pyproject.toml").write_text(example)
    path = written(tmp_path, "cli-json", "c.json")
    monkeypatch.chdir(tmp_path)
    result = cli("validate", path, "--format", "json")
    assert [f["code"] for f in json.loads(result.stdout)] == ["E110", "W150"]  # W160 ignored
    assert result.exit_code == 1
    assert cli("validate", path, "--ignore", "E110").exit_code == 1  # strict: W150 fails


def test_a_terraform_module_with_unrelated_files_beside_it(cli, tmp_path):
    module = tmp_path / "infra"
    module.mkdir()
    (module / "main.tf").write_text((ROOT / "samples" / "two-destinations" / "main.tf").read_text())
    (module / "variables.tf").write_text('variable "unused" {\n  default = "x"\n}\n')  # part of the module all the same
    (module / "package.json").write_text('{"name": "app"}')
    assert cli("validate", module).exit_code == 0
    only_unrelated = tmp_path / "plain"
    only_unrelated.mkdir()
    (only_unrelated / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    result = cli("validate", only_unrelated, "--format", "json")
    assert result.exit_code == 2  # nothing to check is said, not passed over in silence
    assert "no aws_s3_bucket_replication_configuration resource" in json.loads(result.stdout)[0]["message"]


def test_another_tools_broken_pyproject_is_not_ours_but_a_broken_s3repl_toml_is_said(cli, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[project\nname = ")
    monkeypatch.chdir(tmp_path)
    sample = ROOT / "samples" / "two-destinations" / "cli-json.json"
    assert cli("validate", sample).exit_code == 0
    (tmp_path / ".s3repl.toml").write_text("[validate\n")
    result = cli("validate", sample)
    assert result.exit_code == 2 and ".s3repl.toml: error: cannot read the configuration file" in result.stderr
