"""The command line: stdin/stdout, -o files and directories, --bucket, references and --var, python -m converter."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, expected

from converter import loads, write

TWO = ROOT / "samples" / "two-destinations"
CROSS = ROOT / "samples" / "cross-account-kms-owner"


def two_configs(tmp_path):
    """A model file holding two configurations (as a template or a Terraform directory will)."""
    configs = expected(TWO) + expected(CROSS)
    path = tmp_path / "two.model.json"
    path.write_text(write(configs, "model"))
    return path, configs


def test_stdin_to_stdout(cli):
    result = cli("convert", "-", "--to", "xml", "--from", "json", input=(TWO / "cli-json.json").read_text())
    assert result.exit_code == 0 and result.stdout == (TWO / "s3-xml.xml").read_text()


def test_output_file_is_written_and_not_overwritten(cli, tmp_path):
    out = tmp_path / "out.xml"
    assert cli("convert", TWO / "cli-json.json", "--to", "xml", "-o", out).exit_code == 0
    assert out.read_text() == (TWO / "s3-xml.xml").read_text()
    again = cli("convert", CROSS / "cli-json.json", "--to", "xml", "-o", out, "--allow-lossy")
    assert again.exit_code == 2 and "the output file exists (pass --force to replace it)" in again.stderr
    assert out.read_text() == (TWO / "s3-xml.xml").read_text()
    assert cli("convert", CROSS / "cli-json.json", "--to", "xml", "-o", out, "--force").exit_code == 0
    assert "backup-data-replica" in out.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["out.xml"]  # no temporary file left behind


def test_a_refused_conversion_leaves_no_file(cli, tmp_path):
    out = tmp_path / "out.json"
    result = cli("convert", TWO / "cli-json.json", "--to", "json", "--schema", "v1", "-o", out)
    assert result.exit_code == 1 and not out.exists()


def test_several_configurations_need_a_directory_or_a_bucket(cli, tmp_path):
    path, configs = two_configs(tmp_path)
    result = cli("convert", path, "--to", "json")
    assert result.exit_code == 2
    assert "found 2 configurations (two-destinations-source, prod-data-source)" in result.stderr
    assert "pass -o DIR, or --bucket NAME to pick one" in result.stderr

    picked = cli("convert", path, "--to", "json", "--bucket", "prod-data-source", "--shape", "cli-input")
    assert picked.exit_code == 0 and picked.stdout == (CROSS / "cli-json.json").read_text()

    out = tmp_path / "out"
    written = cli("convert", path, "--to", "xml", "-o", f"{out}/")
    assert written.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["prod-data-source.xml", "two-destinations-source.xml"]
    assert (out / "two-destinations-source.xml").read_text() == (TWO / "s3-xml.xml").read_text()


def test_unknown_bucket_lists_the_ones_found(cli, tmp_path):
    path, _ = two_configs(tmp_path)
    result = cli("convert", path, "--to", "json", "--bucket", "nope")
    assert result.exit_code == 2
    assert "no configuration for bucket 'nope' (found: prod-data-source, two-destinations-source)" in result.stderr


def test_file_names_from_bucket_names_stay_inside_the_directory(tmp_path):
    configs = expected(TWO)
    hostile = [configs[0].model_copy(update={"bucket": "../../etc/passwd"}), configs[0].model_copy(update={"bucket": "ok"})]
    files = write(hostile, "cli-json")
    assert sorted(files) == ["etc_passwd.json", "ok.json"]


def test_references_need_vars_for_literal_formats(cli, tmp_path):
    model = json.loads((TWO / "model.json").read_text())
    destination = model["configurations"][0]["rules"][0]["destination"]
    destination["bucket"] = {"kind": "resource", "target": "aws_s3_bucket.logs", "attribute": "arn",
                             "resource_type": "aws_s3_bucket"}
    model["configurations"][0]["role"] = {"kind": "variable", "target": "var.role_arn", "default": "arn:aws:iam::1:role/d"}
    path = tmp_path / "refs.model.json"
    path.write_text(json.dumps(model))

    refused = cli("convert", path, "--to", "json")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == ("Rules[0].Destination.Bucket: error: aws_s3_bucket.logs.arn is a reference and "
                                      "cli-json needs a literal (pass --var aws_s3_bucket.logs.arn=VALUE)")
    done = cli("convert", path, "--to", "json", "--var", "aws_s3_bucket.logs.arn=arn:aws:s3:::logs")
    assert done.exit_code == 0
    written = json.loads(done.stdout)
    assert written["Role"] == "arn:aws:iam::1:role/d"  # the variable's default
    assert written["Rules"][0]["Destination"]["Bucket"] == "arn:aws:s3:::logs"
    # the model format keeps references as they are
    assert loads(cli("convert", path, "--to", "model").stdout, "model") == loads(path.read_text(), "model")


def test_formats_lists_names_aliases_and_gaps(cli, snapshot):
    result = cli("formats")
    assert result.exit_code == 0
    assert result.stdout == snapshot


def test_python_dash_m_and_exit_codes_in_a_real_process(tmp_path):
    run = subprocess.run([sys.executable, "-m", "converter", "convert", str(TWO / "cli-json.json"), "--to", "xml"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0 and run.stdout == (TWO / "s3-xml.xml").read_text()
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    run = subprocess.run([sys.executable, "-m", "converter", "convert", str(bad), "--to", "xml"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2 and "Traceback" not in run.stderr and "bad.json:1:2: error: JSON" in run.stderr


def test_several_inputs_print_no_progress_on_a_pipe(cli, tmp_path):
    result = cli("convert", TWO / "cli-json.json", CROSS / "cli-json.json", "--to", "model")
    assert result.exit_code == 0 and result.stderr == ""
    assert len(loads(result.stdout, "model")) == 2


def test_help_has_an_example_for_every_command(cli):
    for command in ("convert", "validate", "diff", "show", "iam", "formats"):
        result = cli(command, "--help")
        assert result.exit_code == 0
        assert "s3repl" in result.stdout or command == "formats", command
