"""s3repl migrate: v3 inline blocks become v4 resources in place, every other byte kept; proven with real terraform."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import hcl2
import pytest
from conftest import replication_tf

from converter import migrate, read
from converter.diff import compare

SAMPLES = Path(__file__).parent.parent / "samples"
LEGACY = sorted(SAMPLES.glob("*/legacy.tf")) + [SAMPLES / "tf-v3-bucket" / "input" / "legacy.tf"]

# Provider v3 layout with comments, a heredoc holding braces, a string holding "}" and a ${...} with a nested string.
TRICKY = '''# keep me
resource "aws_s3_bucket" "src" { # trailing comment
  bucket = "mig-src"
  tags = {
    Note = "a } in a string and ${lower("A}")} too"
  }

  versioning {
    enabled = true
  }

  policy = <<EOF
{"Statement": [] }
  versioning {
EOF

  replication_configuration {
    role = "arn:aws:iam::111122223333:role/r"
    rules {
      id     = "all"
      status = "Enabled"
      destination {
        bucket = aws_s3_bucket.dst.arn
      }
    }
  }
  /* block comment { */
}

resource "aws_s3_bucket" "dst" {
  bucket = "mig-dst"
}
'''


def _outside(old: str) -> str:
    """TRICKY with the two blocks cut: their lines, and the blank line before versioning that would double."""
    old = old.replace("\n  versioning {\n    enabled = true\n  }\n", "", 1)
    return re.sub(r"  replication_configuration \{\n.*?\n  \}\n", "", old, count=1, flags=re.S)


@pytest.mark.parametrize("sample", LEGACY, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_legacy_sample_migrates_to_what_it_read(sample, tmp_path):
    target = tmp_path / "main.tf"
    shutil.copy(sample, target)
    before = read(str(target))
    edits = migrate.plan(str(target))
    assert edits, "each legacy sample has a v3 block"
    migrate.write(edits)
    text = target.read_text("utf-8")
    parsed = hcl2.loads(text)  # python-hcl2 is the oracle for syntax
    buckets = [b for r in parsed.get("resource", []) for b in r.get("aws_s3_bucket", {}).values()]
    assert all("replication_configuration" not in b and "versioning" not in b for b in buckets)
    after = read(str(target))
    same = {"origin": None, "around": None}
    # by meaning: the resource's filter {} is the inline block's filter { prefix = "" } (each as provider 5 sends it)
    assert len(after) == len(before)
    assert not [c for a, b in zip(after, before) for c in compare(a.model_copy(update=same), b.model_copy(update=same)).changes]
    assert all(a.name == "depends_on" for c in after for a in c.around if a.name != "provider")
    assert all(c.origin.startswith("aws_s3_bucket_replication_configuration.") for c in after)


@pytest.mark.parametrize("newline,bom", [("\n", ""), ("\r\n", ""), ("\n", "\ufeff"), ("\r\n", "\ufeff")])
def test_every_other_byte_stays(newline, bom, tmp_path):
    target = tmp_path / "main.tf"
    old = bom + TRICKY.replace("\n", newline)
    target.write_bytes(old.encode("utf-8"))
    [edit] = migrate.plan(str(target))
    migrate.write([edit])
    new = target.read_bytes().decode("utf-8")
    assert new.startswith(bom + "# keep me") and (newline == "\r\n") == ("\r\n" in new)
    assert "\n" not in new.replace("\r\n", "") if newline == "\r\n" else "\r" not in new
    assert "  versioning {\nEOF" in new.replace("\r\n", "\n")  # inside the heredoc: not a block
    # Removing the inserted blocks gives back the old text with just the two blocks cut.
    plain = new.replace("\r\n", "\n")
    inserted = re.search(r'\n\nresource "aws_s3_bucket_versioning".*?\n}\n(?=\nresource "aws_s3_bucket" "dst")',
                         plain, re.S)
    assert inserted, plain
    assert plain[:inserted.start() + 1] + plain[inserted.end():] == bom + _outside(TRICKY)
    assert 'depends_on = [aws_s3_bucket_versioning.src]' in plain


def test_import_blocks_and_dry_run(cli, tmp_path):
    target = tmp_path / "main.tf"
    target.write_text(TRICKY, encoding="utf-8")
    result = cli("migrate", tmp_path, "--dry-run", "--import")
    assert result.exit_code == 0, result.output
    assert target.read_text("utf-8") == TRICKY  # a dry run changes nothing
    assert result.stdout.startswith(f"--- {target}\n+++ {target} (migrated)\n")
    assert '+  to = aws_s3_bucket_replication_configuration.src\n+  id = "mig-src"' in result.stdout
    assert cli("migrate", tmp_path, "--import").exit_code == 0
    parsed = hcl2.loads(target.read_text("utf-8"))
    assert [(b["to"], b["id"]) for b in parsed["import"]] == [
        ("${aws_s3_bucket_versioning.src}", "\"mig-src\""),
        ("${aws_s3_bucket_replication_configuration.src}", "\"mig-src\"")]
    again = cli("migrate", tmp_path, "--import")  # nothing left: exit 0, the file untouched
    assert again.exit_code == 0 and "nothing to migrate" in again.stderr


@pytest.mark.parametrize("text,code,words", [
    ('resource "aws_s3_bucket" "a" {\n  bucket = "b"\n  dynamic "replication_configuration" {\n    for_each = []\n'
     '    content {\n      role = replication_configuration.value\n    }\n  }\n}\n', 1,
     "dynamic block whose content uses replication_configuration.*"),
    ('resource "aws_s3_bucket" "a" {\n  bucket = "b"\n  versioning {\n    enabled = false\n  }\n}\n', 1, "enabled = false"),
    ('resource "aws_s3_bucket" "a" {\n  bucket = "b"\n  versioning {\n    enabled = var.on\n  }\n}\n', 1, "versioning.enabled is var.on"),
    ('resource "aws_s3_bucket" "a" {\n  bucket = var.name\n  versioning {\n    enabled = true\n  }\n}\n', 1,
     "no literal bucket name"),
    ('resource "aws_s3_bucket" "a" {\n  bucket = "b"\n  versioning {\n    enabled = true\n  }\n}\n'
     'resource "aws_s3_bucket_versioning" "a" {\n  bucket = "x"\n}\n', 1, "exists already"),
    ('resource "aws_s3_bucket" "a" {\n  versioning {\n    enabled = true\n  }\n', 2, "not closed"),
])
def test_refusals_name_the_place_and_change_nothing(text, code, words, cli, tmp_path):
    target = tmp_path / "main.tf"
    target.write_text(text, encoding="utf-8")
    result = cli("migrate", target, "--import")
    assert result.exit_code == code, result.output
    assert words in result.stderr and f"{target}:" in result.stderr and "Traceback" not in result.output
    assert target.read_text("utf-8") == text


def test_migrated_file_passes_terraform_validate_and_fmt(terraform, tmp_path):
    tf = terraform("migrate-validate")
    (tf.workdir / "main.tf").write_bytes((SAMPLES / "tf-v3-bucket" / "input" / "legacy.tf").read_bytes())
    text = (tf.workdir / "main.tf").read_text().replace('provider "aws" {\n', 'provider "aws" {\n  alias  = "west"\n')
    (tf.workdir / "main.tf").write_text(text)  # the harness's provider.tf has the default provider
    migrate.write(migrate.plan(str(tf.workdir), imports=True))
    tf.init()
    tf.run("validate")
    tf.run("fmt", "-check", "-diff", "main.tf")  # what s3repl inserted is laid out as terraform fmt would
    migrated = (tf.workdir / "main.tf").read_text()
    assert 'resource "aws_s3_bucket_versioning" "destination" {\n  provider = aws.west\n' in migrated


V3_MODULE = '''# A provider v3 module, applied before the migration.
resource "aws_s3_bucket" "destination" {
  bucket = "mig-destination"
  versioning {
    enabled = true
  }
}

resource "aws_s3_bucket" "source" {
  bucket = "mig-source"

  versioning {
    enabled = true
  }

  # the replication, inline as provider v3 wanted it
  replication_configuration {
    role = "arn:aws:iam::123456789012:role/replication"

    rules {
      id       = "logs"
      priority = 2
      status   = "Enabled"
      delete_marker_replication_status = "Enabled"
      filter {
        prefix = "logs/"
      }
      destination {
        bucket        = aws_s3_bucket.destination.arn
        storage_class = "STANDARD_IA"
      }
    }

    rules {
      id       = "tagged"
      priority = 1
      status   = "Enabled"
      filter {
        tags = {
          team = "data"
        }
      }
      destination {
        bucket = aws_s3_bucket.destination.arn
      }
    }
  }
}
'''


def test_migrate_import_then_plan_changes_nothing(terraform, s3_emulator, cli):
    """The real provider applies the v3 module; after migrate --import, plan only imports: no change, no destroy."""
    s3_emulator.reset()
    tf = terraform("migrate-apply")
    tf.write("main.tf", V3_MODULE)
    tf.init()
    tf.apply()
    result = cli("migrate", tf.workdir, "--import")
    assert result.exit_code == 0, result.output
    plan = tf.plan()
    assert plan.returncode in (0, 2), plan.stderr
    assert "Plan: 3 to import, 0 to add, 0 to change, 0 to destroy." in plan.stdout, plan.stdout
    tf.apply()
    assert tf.plan().returncode == 0  # adopted: the state matches the bucket
    assert s3_emulator.puts("mig-source")[-1]["Rules"][0]["ID"] == "logs"


# --- convert --import: adopting a bucket configured through the console or the API -------------------------------

EXPORT = {"Role": "arn:aws:iam::123456789012:role/replication",
          "Rules": [{"ID": "logs", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": "logs/"},
                     "DeleteMarkerReplication": {"Status": "Disabled"},
                     "Destination": {"Bucket": "arn:aws:s3:::imp-destination", "StorageClass": "STANDARD_IA"}}]}


def _export(tmp_path) -> Path:
    import json

    path = tmp_path / "export.json"
    path.write_text(json.dumps(EXPORT), encoding="utf-8")
    return path


def test_convert_import_then_plan_changes_nothing(terraform, s3_emulator, cli, tmp_path):
    """Bucket, versioning and replication made through the API; the converted export with --import only imports."""
    s3_emulator.reset()
    s3 = s3_emulator.client()
    for name in ("imp-source", "imp-destination"):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket="imp-source", ReplicationConfiguration=EXPORT)
    tf = terraform("convert-import")
    result = cli("convert", _export(tmp_path), "--to", "terraform", "--bucket", "imp-source", "--import",
                 "-o", tf.workdir / "main.tf")
    assert result.exit_code == 0, result.output
    tf.init()
    plan = tf.plan()
    assert "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy." in plan.stdout, plan.stdout + plan.stderr
    tf.apply()
    assert tf.plan().returncode == 0
    assert s3_emulator.puts("imp-source") == [EXPORT]  # adopting sent nothing new to S3


@pytest.mark.parametrize("fmt,name", [("terraform-json", "main.tf.json"), ("terraform-legacy", "main.tf")])
def test_convert_import_other_terraform_syntaxes_validate(fmt, name, terraform, cli, tmp_path):
    tf = terraform(f"import-{fmt}")
    result = cli("convert", _export(tmp_path), "--to", fmt, "--bucket", "imp-source", "--import", "-o", tf.workdir / name)
    assert result.exit_code == 0, result.output
    tf.init()
    tf.run("validate")
    imported = "aws_s3_bucket.imp_source" if fmt == "terraform-legacy" else "aws_s3_bucket_replication_configuration"
    assert imported in (tf.workdir / name).read_text("utf-8")


def test_convert_import_to_cloudformation_retains_and_lists_the_bucket(cli, tmp_path):
    import json

    import botocore.session
    from cfn_tools import load_yaml
    from test_cloudformation import errors_of

    output = tmp_path / "stack.yaml"
    result = cli("convert", _export(tmp_path), "--to", "cloudformation", "--bucket", "imp-source", "--import", "-o", output)
    assert result.exit_code == 0, result.output
    template = load_yaml(output.read_text("utf-8"))
    [(logical_id, bucket)] = template["Resources"].items()
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert errors_of(output.read_text("utf-8")) == []
    listed = json.loads((tmp_path / "stack.resources-to-import.json").read_text("utf-8"))
    assert listed == [{"ResourceType": "AWS::S3::Bucket", "LogicalResourceId": logical_id,
                       "ResourceIdentifier": {"BucketName": "imp-source"}}]
    # botocore's own validation of CreateChangeSet's ResourcesToImport is the oracle for the file's shape.
    client = botocore.session.get_session().create_client("cloudformation", region_name="us-east-1",
                                                           aws_access_key_id="x", aws_secret_access_key="x")
    request = {"StackName": "s", "ChangeSetName": "c", "ChangeSetType": "IMPORT", "TemplateBody": "{}",
               "ResourcesToImport": listed}
    from botocore.validate import ParamValidator  # the validator the client runs before sending

    shape = client.meta.service_model.operation_model("CreateChangeSet").input_shape
    assert not ParamValidator().validate(request, shape).has_errors()


REFERENCED = 'variable "source" {\n  type = string\n}\n\n' + replication_tf("var.source")


@pytest.mark.parametrize("to,words", [("terraform", "adopting a bucket needs its name, and the input has var.source"),
                                      ("cloudformation", "adopting a bucket needs its name")])
def test_convert_import_refuses_a_bucket_known_only_by_reference(to, words, cli, tmp_path):
    (tmp_path / "main.tf").write_text(REFERENCED, encoding="utf-8")
    result = cli("convert", tmp_path / "main.tf", "--to", to, "--import", "-o", tmp_path / "out")
    assert result.exit_code == 1 and words in result.stderr and "--var" in result.stderr, result.output
    assert not (tmp_path / "out").exists()


def test_convert_import_to_cloudformation_needs_an_output(cli, tmp_path):
    result = cli("convert", _export(tmp_path), "--to", "cloudformation", "--bucket", "b", "--import")
    assert result.exit_code == 2 and "beside the output" in result.stderr, result.output


def test_legacy_never_writes_a_bucket_without_a_name(cli):
    template = SAMPLES / "cfn-conditions" / "template.json"
    result = cli("convert", template, "--to", "terraform-legacy", "--allow-lossy")  # its Condition is a loss
    assert result.exit_code == 1 and "needs its name" in result.stderr, result.output
