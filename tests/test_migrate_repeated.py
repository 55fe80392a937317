"""s3repl migrate on buckets with count/for_each and on Terraform's JSON syntax; proven with real terraform."""

from __future__ import annotations

import json
import re

import hcl2
import pytest

from converter import migrate, read
from converter.diff import compare

VARIABLES = '''variable "names" {
  type    = list(string)
  default = ["cnt-a", "cnt-b"]
}

variable "replicate" {
  type    = bool
  default = true
}
'''

# Provider v3 buckets repeated by count and for_each; the inline blocks use count.index, each.* and references.
REPEATED = '''resource "aws_s3_bucket" "dst" {
  count  = 2
  bucket = "cnt-dst-${count.index}"
  versioning {
    enabled = true
  }
}

resource "aws_s3_bucket" "src" {
  count  = length(var.names)
  bucket = var.names[count.index]

  versioning {
    enabled = true
  }

  replication_configuration {
    role = "arn:aws:iam::123456789012:role/replication"
    rules {
      id                               = "r-${count.index}"
      status                           = "Enabled"
      priority                         = 1
      delete_marker_replication_status = "Enabled"
      filter {
        prefix = "logs/${var.names[count.index]}/"
        tags   = { team = "data" }
      }
      destination {
        bucket        = aws_s3_bucket.dst[count.index].arn
        storage_class = "STANDARD_IA"
      }
    }
  }
}

resource "aws_s3_bucket" "each" {
  for_each = { first = "fe-first", second = "fe-second" }
  bucket   = each.value
  versioning {
    enabled = true
  }
  replication_configuration {
    role = "arn:aws:iam::123456789012:role/replication"
    rules {
      id     = each.key
      status = "Enabled"
      destination {
        bucket = aws_s3_bucket.dst[each.key == "first" ? 0 : 1].arn
      }
    }
  }
}

# Switched on and off by a dynamic block whose content does not use its iterator: count = length(for_each).
resource "aws_s3_bucket" "switched" {
  bucket = "dyn-src"

  dynamic "versioning" {
    for_each = var.replicate ? [1] : []
    content {
      enabled = true
    }
  }

  dynamic "replication_configuration" {
    for_each = var.replicate ? ["on"] : []
    content {
      role = "arn:aws:iam::123456789012:role/replication"
      rules {
        id     = "all"
        status = "Enabled"
        filter {
          prefix = "logs/"
        }
        destination {
          bucket = aws_s3_bucket.dst[0].arn
        }
      }
    }
  }
}
'''

# The same in Terraform's JSON syntax, a bucket without count beside one with it.
REPEATED_JSON = {
    "locals": {"replicate": True},
    "resource": {"aws_s3_bucket": {
        "jdst": {"bucket": "js-dst", "versioning": {"enabled": True}},
        "jsrc": {"count": 2, "bucket": "js-src-${count.index}", "versioning": {"enabled": True},
                 "replication_configuration": {
                     "role": "arn:aws:iam::123456789012:role/replication",
                     "rules": [{"id": "r${count.index}", "status": "Enabled", "filter": {"prefix": "logs/"},
                                "destination": {"bucket": "${aws_s3_bucket.jdst.arn}"}}]},
                 "tags": {"a": "b"}},
        "jplain": {"bucket": "js-plain", "versioning": {"enabled": True},
                   "replication_configuration": {
                       "role": "arn:aws:iam::123456789012:role/replication",
                       "rules": [{"id": "all", "status": "Enabled",
                                  "destination": {"bucket": "${aws_s3_bucket.jdst.arn}"}}]}},
        "jdynamic": {"bucket": "js-dynamic", "versioning": {"enabled": True}, "dynamic": {"replication_configuration": {
            "for_each": "${local.replicate ? [1] : []}",
            "content": {"role": "arn:aws:iam::123456789012:role/replication",
                        "rules": [{"id": "all", "status": "Enabled", "filter": {"prefix": ""},
                                   "destination": {"bucket": "${aws_s3_bucket.jdst.arn}"}}]}}}}}},
    "output": {"dst": {"value": "${aws_s3_bucket.jdst.id}"}},
}


def _module(tmp_path):
    (tmp_path / "variables.tf").write_text(VARIABLES, encoding="utf-8")
    (tmp_path / "main.tf").write_text(REPEATED, encoding="utf-8")
    return tmp_path


def _plain(value):
    """python-hcl2's output without its quotes around labels and strings and its __is_block__ marks."""
    if isinstance(value, dict):
        return {k.strip('"'): _plain(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value[1:-1] if isinstance(value, str) and value[:1] == value[-1:] == '"' else value


def _as_before(address: str) -> str:
    """The address of the bucket a migrated resource came from (count = length(for_each) adds [0])."""
    return address.replace("aws_s3_bucket_replication_configuration.", "aws_s3_bucket.").replace("switched[0]",
                                                                                                 "switched")


def _without_origins(configs):
    same = {"origin": None, "around": None}
    return [c.model_copy(update=same) for c in configs]


def test_repeated_buckets_get_the_same_meta_argument_and_instance_references(tmp_path):
    _module(tmp_path)
    [edit] = migrate.plan(str(tmp_path), imports=True)
    parsed = _plain(hcl2.loads(edit.new))  # python-hcl2 is the oracle for the syntax
    resources = {(kind, name): body for r in parsed["resource"] for kind, named in r.items() for name, body in named.items()}
    for kind in ("aws_s3_bucket_versioning", "aws_s3_bucket_replication_configuration"):
        assert resources[(kind, "src")]["count"] == "${length(var.names)}"
        assert resources[(kind, "src")]["bucket"] == "${aws_s3_bucket.src[count.index].id}"
        assert resources[(kind, "each")]["bucket"] == "${aws_s3_bucket.each[each.key].id}"
    # the expression as written, once on the bucket and once on each new resource
    assert len(re.findall(r'for_each += { first = "fe-first", second = "fe-second" }\n', edit.new)) == 3
    assert 'count      = length(var.replicate ? ["on"] : [])\n  depends_on = [aws_s3_bucket_versioning.switched]\n' \
        '  bucket     = aws_s3_bucket.switched.id\n' in edit.new
    rule = resources[("aws_s3_bucket_replication_configuration", "src")]["rule"][0]
    assert rule["id"] == "r-${count.index}" and rule["filter"][0]["and"][0]["prefix"] == "logs/${var.names[count.index]}/"
    assert rule["destination"][0]["bucket"] == "${aws_s3_bucket.dst[count.index].arn}"
    imports = [(b["to"], b["for_each"]) for b in parsed["import"]]
    assert all("versioning" not in body and "replication_configuration" not in body and "dynamic" not in body
               for (kind, _), body in resources.items() if kind == "aws_s3_bucket")
    assert ("${aws_s3_bucket_replication_configuration.src[each.key]}", ["cnt-a", "cnt-b"]) in imports
    assert ("${aws_s3_bucket_versioning.dst[each.key]}", ["cnt-dst-0", "cnt-dst-1"]) in imports
    assert ("${aws_s3_bucket_versioning.each[each.key]}", {"first": "fe-first", "second": "fe-second"}) in imports
    assert ("${aws_s3_bucket_replication_configuration.switched[each.key]}", ["dyn-src"]) in imports


def test_repeated_buckets_read_back_instance_by_instance(tmp_path):
    """The evaluated instances of the new resources are those of the inline blocks, compared by meaning."""
    _module(tmp_path)
    before = {c.origin: c for c in read(str(tmp_path))}
    assert before['aws_s3_bucket.each["second"]'].bucket == "fe-second"  # each.value of a map, not its key
    migrate.write(migrate.plan(str(tmp_path)))
    after = {_as_before(c.origin): c for c in read(str(tmp_path))}
    assert sorted(before) == sorted(after) == ['aws_s3_bucket.each["first"]', 'aws_s3_bucket.each["second"]',
                                               "aws_s3_bucket.src[0]", "aws_s3_bucket.src[1]",
                                               "aws_s3_bucket.switched"]
    for address in before:
        a, b = _without_origins([after[address], before[address]])
        assert not compare(a, b).changes, address
    assert (tmp_path / "variables.tf").read_text("utf-8") == VARIABLES  # a file with nothing to migrate stays


def test_a_dynamic_block_that_makes_nothing_imports_nothing(tmp_path):
    _module(tmp_path)
    (tmp_path / "variables.tf").write_text(VARIABLES.replace("default = true", "default = false"), encoding="utf-8")
    [edit] = migrate.plan(str(tmp_path), imports=True)  # read back: no instance before, none after
    assert 'resource "aws_s3_bucket_replication_configuration" "switched"' in edit.new
    assert "aws_s3_bucket_replication_configuration.switched[" not in edit.new  # no import block for it


UNDECIDED = '''variable "names" {
  type = list(string)
}

variable "p" {
  type    = string
  default = "LOGS"
}

resource "aws_s3_bucket" "src" {
  count  = length(var.names)
  bucket = var.names[count.index]
  versioning {
    enabled = true
  }
  replication_configuration {
    role = "arn:aws:iam::123456789012:role/replication"
    rules {
      id     = "x"
      prefix = "${lower(var.p)}/"
      status = "Enabled"
      destination {
        bucket = "arn:aws:s3:::d-${count.index}"
      }
    }
  }
}
'''


def test_var_decides_count_and_import_ids_and_expressions_stay(cli, tmp_path):
    target = tmp_path / "main.tf"
    target.write_text(UNDECIDED, encoding="utf-8")
    result = cli("migrate", tmp_path, "--import")
    assert result.exit_code == 2 and "Pass --var var.names=" in result.stderr, result.output
    result = cli("migrate", tmp_path, "--import", "--var", 'var.names=["v-a","v-b"]')
    assert result.exit_code == 0, result.output
    new = target.read_text("utf-8")
    assert new.count('for_each = ["v-a", "v-b"]') == 2  # the import ids: the names the given value makes
    assert len(re.findall(r"count += length\(var.names\)", new)) == 3
    # The expressions as written, not the values the module gave them (LOGS lowered, the names given).
    assert '    prefix = "${lower(var.p)}/"\n' in new and '"arn:aws:s3:::d-${count.index}"' in new


def test_a_plain_bucket_with_a_tags_expression_is_written_as_evaluated(tmp_path):
    """Without count/for_each the reader's evaluation is exact: a tags map from one expression is written out."""
    text = ('variable "t" {\n  type    = map(string)\n  default = { team = "data" }\n}\n'
            'resource "aws_s3_bucket" "a" {\n  bucket = "b"\n  replication_configuration {\n    role = "r"\n'
            '    rules {\n      status = "Enabled"\n      filter {\n        tags = var.t\n      }\n'
            '      destination {\n        bucket = "arn:aws:s3:::d"\n      }\n    }\n  }\n}\n')
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    [edit] = migrate.plan(str(tmp_path))
    assert re.search(r'and \{\n +tags = \{\n +team = "data"\n', edit.new), edit.new


@pytest.mark.parametrize("indent,newline", [(2, "\n"), (4, "\r\n"), ("\t", "\n")])
def test_json_syntax_keeps_order_layout_and_everything_else(indent, newline, tmp_path):
    target = tmp_path / "main.tf.json"
    old = json.dumps(REPEATED_JSON, indent=indent).replace("\n", newline) + newline
    target.write_bytes(old.encode("utf-8"))
    before = {c.origin: c for c in read(str(target))}
    [edit] = migrate.plan(str(tmp_path), imports=True)
    migrate.write([edit])
    new = target.read_bytes().decode("utf-8")
    unit = "\t" if indent == "\t" else " " * indent
    assert new.endswith(newline) and (newline == "\r\n") == ("\r\n" in new)
    assert f'{newline}{unit}"resource": {{' in new and f'{newline}{unit}{unit}"aws_s3_bucket": {{' in new
    data = json.loads(new)
    buckets = data["resource"]["aws_s3_bucket"]
    # Everything but the inline keys (and a dynamic object left empty) stays, in its order; the new resources and imports come after.
    expected = {name: {k: v for k, v in body.items() if k not in ("versioning", "replication_configuration", "dynamic")}
                for name, body in REPEATED_JSON["resource"]["aws_s3_bucket"].items()}
    assert json.dumps(buckets) == json.dumps(expected)
    assert list(data) == ["locals", "resource", "output", "import"] and data["output"] == REPEATED_JSON["output"]
    assert list(data["resource"]) == ["aws_s3_bucket", "aws_s3_bucket_versioning",
                                      "aws_s3_bucket_replication_configuration"]
    replication = data["resource"]["aws_s3_bucket_replication_configuration"]
    assert replication["jsrc"]["count"] == 2 and replication["jsrc"]["bucket"] == "${aws_s3_bucket.jsrc[count.index].id}"
    assert "count" not in replication["jplain"] and replication["jplain"]["bucket"] == "${aws_s3_bucket.jplain.id}"
    assert {"for_each": ["js-src-0", "js-src-1"], "to": "aws_s3_bucket_replication_configuration.jsrc[each.key]",
            "id": "${each.value}"} in data["import"]
    assert {"to": "aws_s3_bucket_versioning.jdst", "id": "js-dst"} in data["import"]
    after = {_as_before(c.origin).replace("jdynamic[0]", "jdynamic"): c for c in read(str(target))}
    assert sorted(after) == sorted(before)
    assert not [a for a in before if compare(*_without_origins([after[a], before[a]])).changes]


_BASE = {"bucket": "s-src", "versioning": {"enabled": True}, "replication_configuration": {
    "role": "r", "rules": [{"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::d"}}]}}


@pytest.mark.parametrize("document,kept", [
    ({"resource": [{"aws_s3_bucket": {"a": _BASE}}]}, lambda d: d["resource"][0]["aws_s3_bucket"]["a"]),
    ({"resource": {"aws_s3_bucket": [{"a": _BASE}]}}, lambda d: d["resource"]["aws_s3_bucket"][0]["a"]),
    ({"resource": {"aws_s3_bucket": {"a": [_BASE]}}}, lambda d: d["resource"]["aws_s3_bucket"]["a"][0]),
    ({"resource": {"aws_s3_bucket": {"a": _BASE}}, "import": {"to": "aws_s3_bucket.a", "id": "s-src"}},
     lambda d: d["resource"]["aws_s3_bucket"]["a"]),
], ids=["resource-array", "type-array", "body-array", "import-object"])
def test_json_syntax_shapes_terraform_allows(document, kept, tmp_path):
    """JSON syntax lets each level be an object or an array of objects (and a lone import block an object)."""
    target = tmp_path / "main.tf.json"
    target.write_text("\ufeff" + json.dumps(document, indent=2), encoding="utf-8")
    migrate.write(migrate.plan(str(target), imports=True))
    new = target.read_text("utf-8")
    data = json.loads(new.removeprefix("\ufeff"))
    assert new.startswith("\ufeff") and not new.endswith("\n")  # the BOM kept, no final newline added
    assert kept(data) == {"bucket": "s-src"}
    assert [c.origin for c in read(str(target))] == ["aws_s3_bucket_replication_configuration.a"]
    assert [b["to"] for b in data["import"]][-2:] == ["aws_s3_bucket_versioning.a",
                                                      "aws_s3_bucket_replication_configuration.a"]


def test_json_dry_run_prints_a_diff_and_writes_nothing(cli, tmp_path):
    target = tmp_path / "main.tf.json"
    target.write_text(json.dumps(REPEATED_JSON, indent=2) + "\n", encoding="utf-8")
    result = cli("migrate", tmp_path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"--- {target}\n+++ {target} (migrated)\n")
    assert '-        "replication_configuration": {' in result.stdout
    assert json.loads(target.read_text("utf-8")) == REPEATED_JSON


@pytest.mark.parametrize("text,words", [
    # A rule list built by a dynamic block under count: its content cannot be written as one resource's body here.
    ('resource "aws_s3_bucket" "a" {\n  count  = 1\n  bucket = "b"\n  replication_configuration {\n'
     '    role = "r"\n    dynamic "rules" {\n      for_each = ["x"]\n      content {\n        status = "Enabled"\n'
     '        destination {\n          bucket = "arn:aws:s3:::d"\n        }\n      }\n    }\n  }\n}\n',
     "with a dynamic block, inside a resource with count/for_each"),
    # The import ids are the bucket names: unknown names (a variable without a value) cannot be imported.
    ('variable "n" {\n  type = list(string)\n}\nresource "aws_s3_bucket" "a" {\n  count  = 2\n'
     '  bucket = var.n[count.index]\n  versioning {\n    enabled = true\n  }\n}\n', "aws_s3_bucket.a[0] has no literal bucket name for the import id (var.n[0])"),
    ('resource "aws_s3_bucket" "a" {\n  count  = 2\n  bucket = "b-${count.index}-${var.x}"\n  versioning {\n'
     '    enabled = true\n  }\n}\nvariable "x" {\n  type = string\n}\n', "aws_s3_bucket.a[0] has no literal bucket name"),
    ('resource "aws_s3_bucket" "a" {\n  for_each = toset(["x"])\n  bucket = each.key\n  replication_configuration {\n'
     '    role = "r"\n    rules {\n      status = "Enabled"\n      filter {\n        tags = var.t\n      }\n'
     '      destination {\n        bucket = "arn:aws:s3:::d"\n      }\n    }\n  }\n}\nvariable "t" {\n  type = map(string)\n'
     '  default = {}\n}\n', "tags is one expression"),
])
def test_repeated_refusals_name_the_bucket_and_change_nothing(text, words, cli, tmp_path):
    target = tmp_path / "main.tf"
    target.write_text(text, encoding="utf-8")
    result = cli("migrate", tmp_path, "--import")
    assert result.exit_code in (1, 2) and "Traceback" not in result.output, result.output
    assert words in result.stderr and str(target) in result.stderr, result.stderr
    assert target.read_text("utf-8") == text


def test_a_provider_v3_module_shape_is_refused_clearly(cli, tmp_path):
    """dynamic "replication_configuration" reading its iterator (as modules for provider v3 wrote it): refused."""
    import shutil
    from pathlib import Path

    fixture = Path(__file__).parent / "fixtures" / "terraform" / "v3-dynamic" / "main.tf"
    shutil.copy(fixture, tmp_path / "main.tf")
    result = cli("migrate", tmp_path, "--import")
    assert result.exit_code == 1, result.output
    assert (f"{tmp_path / 'main.tf'}:23: error: aws_s3_bucket.source builds replication_configuration with a dynamic "
            "block whose content uses config.*") in result.stderr, result.stderr
    assert "s3repl convert DIR --to terraform --var" in result.stderr
    assert (tmp_path / "main.tf").read_bytes() == fixture.read_bytes()


def test_comments_in_a_removed_dynamic_block_are_warned_about(cli, tmp_path):
    text = ('resource "aws_s3_bucket" "a" {\n  bucket = "b"\n  dynamic "versioning" {\n    # on when asked\n'
            '    for_each = [1]\n    content {\n      enabled = true\n    }\n  }\n}\n')
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    result = cli("migrate", tmp_path)
    assert result.exit_code == 0, result.output
    assert "main.tf:3: warning: the comments inside aws_s3_bucket.a's dynamic block are not carried" in result.stderr
    assert "count  = length([1])" in (tmp_path / "main.tf").read_text("utf-8")


def _puts(emulator, names):
    return {name: len(emulator.puts(name)) for name in names}


def test_repeated_migrate_import_then_plan_changes_nothing(terraform, s3_emulator, cli):
    """Real provider: apply the v3 count/for_each buckets, migrate --import, plan only imports (no change, destroy)."""
    s3_emulator.reset()
    tf = terraform("migrate-repeated")
    tf.write("variables.tf", VARIABLES)
    tf.write("main.tf", REPEATED)
    tf.init()
    tf.apply()
    sent = _puts(s3_emulator, ["cnt-a", "cnt-b", "fe-first", "fe-second", "dyn-src"])
    result = cli("migrate", tf.workdir, "--import")
    assert result.exit_code == 0, result.output
    tf.run("fmt", "-check", "-diff", "main.tf")  # what s3repl inserted is laid out as terraform fmt would
    plan = tf.plan()
    assert plan.returncode == 2, plan.stderr
    # versioning: dst 2, src 2, each 2, switched 1; replication: src 2, each 2, switched 1
    assert "Plan: 12 to import, 0 to add, 0 to change, 0 to destroy." in plan.stdout, plan.stdout
    tf.apply()
    assert tf.plan().returncode == 0  # adopted: the state matches the buckets
    assert _puts(s3_emulator, list(sent)) == sent  # adopting sent nothing new to S3
    assert s3_emulator.puts("cnt-b")[-1]["Rules"][0]["ID"] == "r-1"


def test_json_migrate_import_then_plan_changes_nothing(terraform, s3_emulator, cli):
    """The same for a .tf.json module: the edited JSON plans only imports."""
    s3_emulator.reset()
    tf = terraform("migrate-json")
    tf.write("main.tf.json", json.dumps(REPEATED_JSON, indent=2) + "\n")
    tf.init()
    tf.apply()
    result = cli("migrate", tf.workdir, "--import")
    assert result.exit_code == 0, result.output
    assert re.search(r"migrated .*main\.tf\.json: aws_s3_bucket\.jdst, aws_s3_bucket\.jsrc, aws_s3_bucket\.jplain, "
                     r"aws_s3_bucket\.jdynamic",
                     result.stderr), result.stderr
    plan = tf.plan()
    assert plan.returncode == 2, plan.stderr
    # versioning: jdst, jsrc 2, jplain, jdynamic; replication: jsrc 2, jplain, jdynamic
    assert "Plan: 9 to import, 0 to add, 0 to change, 0 to destroy." in plan.stdout, plan.stdout
    tf.apply()
    assert tf.plan().returncode == 0
