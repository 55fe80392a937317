"""Terraform as people write it: variables and tfvars, locals, count/for_each, dynamic blocks, module calls, refusals."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

from converter import read
from converter.context import ReadContext
from converter.errors import InputError, Refusal
from converter.values import Ref

FIXTURES = ROOT / "tests" / "fixtures" / "terraform"
quiet = {"warn": lambda d: None}


def summary(config) -> list[tuple]:
    """(id, status, priority, filter, destination bucket, storage class) per rule, references shown by name."""
    def show(value):
        return value.display() if isinstance(value, Ref) else value

    rows = []
    for rule in config.rules:
        flt = rule.filter
        selects = None if flt is None else (show(flt.prefix), (show(flt.tag.key), show(flt.tag.value)) if flt.tag else None,
                                            (show(flt.and_.prefix), tuple((show(t.key), show(t.value)) for t in flt.and_.tags
                                                                           or ())) if flt.and_ else None)
        rows.append((rule.id, rule.status, rule.priority, selects, show(rule.destination.bucket),
                     rule.destination.storage_class))
    return rows


# (fixture, address, bucket as shown, role as shown, rules) — what Terraform would send, read statically.
MODULES = [
    ("tam-example", "module.s3_bucket.aws_s3_bucket_replication_configuration.this[0]", "origin-s3-bucket-example",
     "aws_iam_role.replication.arn", [
         ("something-with-kms-and-filter", "Enabled", 10, (None, None, ("one", (("ReplicateMe", "Yes"),))),
          "arn:aws:s3:::replica-s3-bucket-example", "STANDARD"),
         ("something-with-filter", "Enabled", 20, (None, None, ("two", (("ReplicateMe", "Yes"),))),
          "arn:aws:s3:::replica-s3-bucket-example", "STANDARD"),
         ("everything-with-filter", "Enabled", 30, (None, None, None), "arn:aws:s3:::replica-s3-bucket-example",
          "STANDARD"),
         ("everything-without-filters", "Enabled", 0, (None, None, None), "arn:aws:s3:::replica-s3-bucket-example",
          "STANDARD")]),
    ("cloudposse-example", "module.s3_bucket.aws_s3_bucket_replication_configuration.default[0]",
     'join("", aws_s3_bucket.default[*].id)', "module.s3_bucket.aws_iam_role.replication[0].arn", [
         ("logs", "Enabled", 1, ("logs/", None, None), "arn:aws:s3:::from-auto-tfvars", "STANDARD_IA"),
         ("everything", "Disabled", 2, (None, ("team", "data"), None), "arn:aws:s3:::explicit-destination",
          "STANDARD")]),
    ("nested-dynamic", "aws_s3_bucket_replication_configuration.this[0]", "nested-source",
     "arn:aws:iam::111122223333:role/replication", [
         ("logs", "Enabled", 1, ("logs/", None, None), "arn:aws:s3:::logs-replica", None),
         ("tagged", "Enabled", 2, (None, None, ("data/", (("team", "data"), ("tier", "gold")))),
          "arn:aws:s3:::data-replica", None)]),
    ("v3-dynamic", "aws_s3_bucket.source", "v3-source", "arn:aws:iam::111122223333:role/replication", [
        ("logs", "Enabled", None, None, "arn:aws:s3:::logs-replica", None),
        ("data", "Enabled", None, None, "arn:aws:s3:::logs-replica", None)]),
]


@pytest.mark.parametrize("fixture,address,bucket,role,rules", MODULES, ids=[m[0] for m in MODULES])
def test_modules_in_the_shape_of_real_ones_read_as_terraform_would_send_them(fixture, address, bucket, role, rules):
    (config,) = read(FIXTURES / fixture, context=ReadContext(environ={}))
    assert config.origin == address
    shown = config.bucket.default if isinstance(config.bucket, Ref) and config.bucket.default else config.bucket
    assert (shown.display() if isinstance(shown, Ref) else shown) == bucket
    assert (config.role.display() if isinstance(config.role, Ref) else config.role) == role
    assert summary(config) == rules


@pytest.mark.parametrize("fixture", [m[0] for m in MODULES])
def test_evaluated_modules_validate_convert_and_diff(cli, fixture, tmp_path):
    result = cli("validate", FIXTURES / fixture)
    assert result.exit_code in (0, 1) and "E1" not in result.stdout, result.output  # no S3 error
    out = tmp_path / "out.json"
    result = cli("convert", FIXTURES / fixture, "--to", "cfn", "--allow-lossy", "--no-validate", "-o", out)
    assert result.exit_code == 0, result.stderr
    result = cli("diff", FIXTURES / fixture, out)
    assert result.exit_code == 0, result.output


def test_writing_an_evaluated_module_to_terraform_is_a_declared_change(cli):
    result = cli("convert", FIXTURES / "nested-dynamic", "--to", "tf")
    assert result.exit_code == 1
    assert ("aws_s3_bucket_replication_configuration.this[0] was read by evaluating count, dynamic blocks with the "
            "inputs given for var.rules; it is written as literal, expanded resources") in result.stderr
    result = cli("convert", FIXTURES / "nested-dynamic", "--to", "tf", "--allow-lossy")
    assert result.exit_code == 0 and 'dynamic' not in result.stdout and 'id       = "tagged"' in result.stdout
    # A file read as written is not evaluated: TF -> TF stays a plain round trip.
    result = cli("convert", ROOT / "samples" / "tf-module" / "input", "--to", "tf")
    assert result.exit_code == 0, result.stderr


def _module(tmp_path: Path, variable: str = 'variable "status" {\n  type    = string\n  default = "Disabled"\n}\n') -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "main.tf").write_text(variable + """
resource "aws_s3_bucket_replication_configuration" "r" {
  bucket = "src"
  role   = "arn:aws:iam::111122223333:role/r"
  rule {
    status = var.status
    destination {
      bucket = "arn:aws:s3:::dst"
    }
  }
}
""")
    return tmp_path


# Terraform's precedence, lowest first: https://developer.hashicorp.com/terraform/language/values/variables
PRECEDENCE = [
    ({}, "Disabled"),
    ({"env": "Enabled"}, "Enabled"),
    ({"env": "Disabled", "terraform.tfvars": 'status = "Enabled"'}, "Enabled"),
    ({"terraform.tfvars": 'status = "Disabled"', "terraform.tfvars.json": '{"status": "Enabled"}'}, "Enabled"),
    ({"terraform.tfvars.json": '{"status": "Disabled"}', "a.auto.tfvars": 'status = "Enabled"'}, "Enabled"),
    ({"a.auto.tfvars": 'status = "Enabled"', "b.auto.tfvars.json": '{"status": "Disabled"}'}, "Disabled"),
    ({"b.auto.tfvars": 'status = "Disabled"', "file1": 'status = "Enabled"'}, "Enabled"),
    ({"file1": 'status = "Enabled"', "file2": 'status = "Disabled"'}, "Disabled"),
    ({"file2": 'status = "Disabled"', "var": "Enabled"}, "Enabled"),
]


@pytest.mark.parametrize("given,expected", PRECEDENCE)
def test_inputs_follow_terraforms_precedence(tmp_path, given, expected):
    module = _module(tmp_path / "m")
    files = []
    for name, text in given.items():
        if name.startswith(("file", "var", "env")):
            continue
        (module / name).write_text(text + "\n")
    for name in ("file1", "file2"):
        if name in given:
            (tmp_path / f"{name}.tfvars").write_text(given[name] + "\n")
            files.append(str(tmp_path / f"{name}.tfvars"))
    context = ReadContext(variables={"var.status": given["var"]} if "var" in given else {}, var_files=tuple(files),
                          environ={"TF_VAR_status": given["env"]} if "env" in given else {})
    (config,) = read(module, context=context)
    assert config.rules[0].status == expected


def test_a_plain_variable_reference_stays_a_reference_with_its_value(tmp_path):
    (tmp_path / "main.tf").write_text(_module(tmp_path).joinpath("main.tf").read_text().replace(
        'bucket = "arn:aws:s3:::dst"', 'bucket = "arn:aws:s3:::${var.status}-dst"'))
    (config,) = read(tmp_path, context=ReadContext(variables={"var.status": "Enabled"}, environ={}))
    assert config.rules[0].status == "Enabled"  # an enum takes the value
    bucket = config.rules[0].destination.bucket
    assert bucket.kind == "template" and bucket.parts[1] == Ref(kind="variable", target="var.status", default="Enabled")


def test_list_and_object_variables_take_hcl_syntax_from_var(tmp_path):
    (config,) = read(FIXTURES / "nested-dynamic", context=ReadContext(environ={}, variables={
        "var.rules": '[{ id = "only", priority = 5, bucket = "b" }]', "var.enabled": "true"}))
    assert summary(config) == [("only", "Enabled", 5, (None, None, None), "arn:aws:s3:::b", None)]


def test_a_toggle_off_leaves_nothing_to_read(tmp_path):
    with pytest.raises(Refusal, match="no aws_s3_bucket_replication_configuration"):
        read(FIXTURES / "nested-dynamic", context=ReadContext(environ={}, variables={"var.enabled": "false"}))


def test_for_each_instances_have_addresses_and_bucket_picks_one(cli):
    configs = read(FIXTURES / "for-each-toggle", context=ReadContext(environ={}))
    assert [c.origin for c in configs] == ['aws_s3_bucket_replication_configuration.this["primary"]',
                                           'aws_s3_bucket_replication_configuration.this["secondary"]',
                                           "aws_s3_bucket_replication_configuration.plain"]
    (picked,) = read(FIXTURES / "for-each-toggle", bucket='aws_s3_bucket_replication_configuration.this["secondary"]')
    assert picked.bucket == "acme-secondary" and picked.rules[0].id == "to-secondary-replica"
    off = read(FIXTURES / "for-each-toggle", context=ReadContext(environ={}, variables={"var.replicate": "false"}))
    assert [c.origin for c in off] == ["aws_s3_bucket_replication_configuration.plain"]


def test_an_expression_map_key_is_a_reference_where_the_file_is_read_as_written():
    configs = read(FIXTURES / "for-each-toggle", context=ReadContext(environ={}))
    plain = configs[-1].rules[0].filter.and_.tags[0]
    assert plain.key == Ref(kind="variable", target="var.tag_key", default="team") and plain.value == "data"
    assert configs[0].rules[0].filter.and_.tags[0].key == "team"  # expanded by for_each: the value


UNDECIDABLE = [
    ("count", 'count = length(data.aws_s3_bucket.all.ids)', "main.tf:3:3",
     "the count of aws_s3_bucket_replication_configuration.r cannot be decided statically: "
     "length(data.aws_s3_bucket.all.ids) depends on values known only after apply."),
    ("for_each-input", "for_each = var.buckets", "main.tf:3:3", "Pass --var var.buckets=..."),
    ("dynamic", None, "main.tf:7:5", 'the dynamic "rule" block\'s for_each cannot be decided statically: '
     "local.rules depends on inputs not given. Pass --var var.n=..."),
]


@pytest.mark.parametrize("name,meta,where,message", UNDECIDABLE, ids=[u[0] for u in UNDECIDABLE])
def test_what_cannot_be_decided_is_named_with_the_way_out(cli, tmp_path, name, meta, where, message):
    if meta:
        body = f'variable "buckets" {{}}\nresource "aws_s3_bucket_replication_configuration" "r" {{\n  {meta}\n  bucket = "b"\n}}\n'
    else:
        body = ('variable "n" {}\nlocals { rules = range(var.n) }\nresource "aws_s3_bucket_replication_configuration" "r" {\n'
                '  bucket = "b"\n  role   = "r"\n  dynamic "rule" {\n    for_each = local.rules\n    content {}\n  }\n}\n')
    (tmp_path / "main.tf").write_text(body)
    result = cli("show", tmp_path / "main.tf")
    assert result.exit_code == 2
    assert where in result.stderr and message in result.stderr
    assert "terraform plan -out=tfplan && terraform show -json tfplan > plan.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_cycle_of_locals_is_named_with_its_places(tmp_path):
    (tmp_path / "main.tf").write_text('locals {\n  a = local.b\n  b = "x-${local.a}"\n}\n'
                                      'resource "aws_s3_bucket_replication_configuration" "r" {\n  bucket = local.a\n}\n')
    with pytest.raises(InputError, match=r"local values refer to each other in a cycle: local.a \(.*main.tf:2\), "
                                         r"local.b \(.*main.tf:3\)"):
        read(tmp_path)


def test_registry_modules_need_terraform_init(tmp_path):
    (tmp_path / "main.tf").write_text('module "s3" {\n  source  = "terraform-aws-modules/s3-bucket/aws"\n'
                                      '  version = "4.0.0"\n}\n')
    with pytest.raises(InputError, match=r"module 's3' comes from 'terraform-aws-modules/s3-bucket/aws', which is not "
                                         r"fetched \(run `terraform init`"):
        read(tmp_path)
    # What `terraform init` writes: .terraform/modules/modules.json names each module's directory.
    shutil.copytree(FIXTURES / "tam-s3-bucket", tmp_path / ".terraform" / "modules" / "s3")
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "", "Source": "", "Dir": "."},
        {"Key": "s3", "Source": "registry.terraform.io/terraform-aws-modules/s3-bucket/aws", "Dir": ".terraform/modules/s3"}]}))
    (tmp_path / "main.tf").write_text('module "s3" {\n  source = "terraform-aws-modules/s3-bucket/aws"\n  bucket = "reg"\n'
                                      '  replication_configuration = {\n    role = "r"\n    rules = [{ id = "a", '
                                      'destination = { bucket = "arn:aws:s3:::d" } }]\n  }\n}\n')
    (config,) = read(tmp_path)
    assert config.origin == "module.s3.aws_s3_bucket_replication_configuration.this[0]"
    assert config.bucket.default == "reg" and config.rules[0].id == "a"


def test_modules_with_count_and_for_each_nest(tmp_path):
    child = tmp_path / "child"
    child.mkdir()
    (child / "main.tf").write_text('variable "name" {}\nresource "aws_s3_bucket_replication_configuration" "r" {\n'
                                   '  bucket = var.name\n  role   = "r"\n  rule {\n    status = "Enabled"\n'
                                   '    destination {\n      bucket = "arn:aws:s3:::${var.name}-copy"\n    }\n  }\n}\n')
    (tmp_path / "mid").mkdir()
    (tmp_path / "mid" / "main.tf").write_text('variable "names" {}\nmodule "leaf" {\n  source   = "../child"\n'
                                              '  for_each = toset(var.names)\n  name     = each.key\n}\n')
    (tmp_path / "main.tf").write_text('module "mid" {\n  source = "./mid"\n  count  = 2\n'
                                      '  names  = ["a${count.index}", "b${count.index}"]\n}\n')
    configs = read(tmp_path)
    assert [c.origin for c in configs] == [
        f'module.mid[{i}].module.leaf["{n}{i}"].aws_s3_bucket_replication_configuration.r' for i in (0, 1) for n in "ab"]
    assert [c.bucket for c in configs] == ["a0", "b0", "a1", "b1"]


def test_json_syntax_goes_through_the_same_evaluation(tmp_path):
    (tmp_path / "main.tf.json").write_text(json.dumps({
        "variable": {"ids": {"default": ["x", "y"]}},
        "resource": {"aws_s3_bucket_replication_configuration": {"r": {
            "count": "${length(var.ids) > 0 ? 1 : 0}", "bucket": "src", "role": "r",
            "dynamic": {"rule": {"for_each": "${var.ids}", "content": {
                "id": "${upper(rule.value)}", "status": "Enabled",
                "destination": {"bucket": "arn:aws:s3:::${rule.value}"}}}}}}}}))
    (config,) = read(tmp_path)
    assert [(r.id, r.destination.bucket) for r in config.rules] == [("X", "arn:aws:s3:::x"), ("Y", "arn:aws:s3:::y")]


def test_locations_of_evaluated_resources_point_at_the_attribute(tmp_path):
    from converter import validate

    findings = validate(FIXTURES / "nested-dynamic", context=ReadContext(environ={}, variables={
        "var.rules": '[{ id = "a", priority = 1, bucket = "b", prefix = "p/" }, '
                     '{ id = "a", priority = 2, bucket = "c", prefix = "q/" }]'}))
    duplicate = [f for f in findings if "ID" in f.message or "id" in f.message.lower()]
    assert duplicate and duplicate[0].file.endswith("nested-dynamic/main.tf") and duplicate[0].line == 26


BAD_HCL = [
    ("duplicate-argument", 'resource "a" "b" {\n  x = 1\n  x = 2\n}\n', "main.tf:3:3", "the argument 'x' is set twice "
     "(first at line 2)"),
    ("duplicate-key", 'locals {\n  m = {\n    k = 1\n    "k" = 2\n  }\n}\n', "main.tf:4:5", "the object key 'k' is given "
     "twice (first at line 3)"),
    ("deep", "x = " + "{a = " * 200_000, "main.tf:1", "HCL nesting is deeper than 100 levels"),
    ("large", "# " + "x" * (5 * 1024 * 1024) + "\n", "main.tf", "the HCL file is larger than 4 MiB"),
    ("heredoc", "x = <<EOT\n" + "y" * (14 * 1024 * 1024) + "\nEOT\n", "main.tf", "the HCL file is larger than 4 MiB"),
]


@pytest.mark.parametrize("name,text,where,message", BAD_HCL, ids=[b[0] for b in BAD_HCL])
def test_bad_hcl_is_refused_with_its_place(cli, tmp_path, name, text, where, message):
    import time

    (tmp_path / "main.tf").write_text(text)
    start = time.perf_counter()
    result = cli("convert", tmp_path / "main.tf", "--to", "json", "--max-bytes", 30_000_000)
    assert time.perf_counter() - start < 10
    assert result.exit_code == 2 and where in result.stderr and message in result.stderr, result.stderr


def test_a_heredoc_keeps_its_final_newline(tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket_replication_configuration" "r" {\n  bucket = "b"\n'
                                      '  role   = <<EOT\nline\nEOT\n  rule {\n    status = "Enabled"\n'
                                      '    destination {\n      bucket = "d"\n    }\n  }\n}\n')
    (config,) = read(tmp_path)
    assert config.role == "line\n"


def test_sixteen_threads_read_every_sample_as_one_thread_does():
    from converter.formats import terraform

    paths = sorted(p for s in SAMPLES for p in [*s.glob("*.tf"), *s.glob("input")] if p.suffix == ".tf" or p.is_dir())
    paths = [p for p in paths if p.is_file() or any(p.glob("*.tf"))]
    serial = {p: read(p) for p in paths}
    for _ in range(3):
        terraform.parse.__wrapped__ if hasattr(terraform.parse, "__wrapped__") else None
        results, errors = {}, []

        def work(index):
            try:
                for p in paths[index % len(paths):] + paths[:index % len(paths)]:
                    results.setdefault(p, []).append(read(p))
            except Exception as exc:  # noqa: BLE001 - any error is the failure this test looks for
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert all(r == serial[p] for p, rs in results.items() for r in rs)
    assert serial == {p: read(p) for p in paths}


# --- the real Terraform as the oracle: `terraform plan` (offline: mock credentials, no data sources) -------------

PLANNED = ["nested-dynamic", "for-each-toggle", "v3-dynamic", "cloudposse-example"]
PROVIDER = """provider "aws" {
  region                      = "us-east-1"
  access_key                  = "mock"
  secret_key                  = "mock"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""


@pytest.fixture(scope="module")
def terraform_env(tmp_path_factory):
    """A CLI config pointing at the provider mirror on this machine, and a shared plugin cache."""
    from terraform_harness import cli_config, missing

    reason = missing()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("terraform")
    (root / "cache").mkdir()
    cli_config(root)
    shutil.copytree(FIXTURES, root / "fixtures")
    return root


@pytest.fixture(scope="module")
def plans(terraform_env):
    """planned() of every fixture in PLANNED, run side by side (terraform mostly waits on its provider)."""
    from concurrent.futures import ThreadPoolExecutor

    for fixture in PLANNED:  # one at a time: Terraform's plugin cache is not safe for concurrent inits
        _terraform(terraform_env, fixture, "init", "-input=false", "-no-color")
    with ThreadPoolExecutor(len(PLANNED)) as pool:
        return dict(zip(PLANNED, pool.map(lambda f: planned(terraform_env, f), PLANNED)))


def _terraform(env: Path, fixture: str, *command: str) -> str:
    import os
    import subprocess

    directory = env / "fixtures" / fixture
    (directory / "provider.tf").write_text(PROVIDER)
    result = subprocess.run(["terraform", *command], cwd=directory, capture_output=True, text=True, env={
        **os.environ, "TF_CLI_CONFIG_FILE": str(env / "terraformrc"), "TF_PLUGIN_CACHE_DIR": str(env / "cache"),
        "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def planned(env: Path, fixture: str) -> dict:
    """Terraform's own planned values: address -> the replication configurations as our JSON-syntax reader reads them."""
    from converter.formats import terraform
    from converter.sources import Source

    _terraform(env, fixture, "plan", "-input=false", "-no-color", "-out=tfplan")
    plan = json.loads(_terraform(env, fixture, "show", "-json", "tfplan"))
    out = {}
    for resource in _resources(plan["planned_values"]["root_module"]):
        values = _clean(resource["values"])
        if resource["type"] == "aws_s3_bucket" and "replication_configuration" not in values:
            continue
        values.setdefault("bucket", "unknown-until-apply")
        values.setdefault("role", "unknown-until-apply")
        if resource["type"] == "aws_s3_bucket":
            values["replication_configuration"][0].setdefault("role", "unknown-until-apply")
        document = {"resource": {resource["type"]: {"planned": values}}}
        (config,) = terraform.read_module([Source("plan.tf.json", json.dumps(document))])
        out[resource["address"]] = config
    return out


def _resources(module: dict):
    yield from (r for r in module.get("resources", ()) if r["type"] in (
        "aws_s3_bucket_replication_configuration", "aws_s3_bucket"))
    for child in module.get("child_modules", ()):
        yield from _resources(child)


def _clean(value):
    """Plan values as Terraform JSON syntax: nulls and empty blocks are absent (unset)."""
    if isinstance(value, dict):  # provider v3's inline block holds "" for these when they are not set
        return {k: _clean(v) for k, v in value.items() if v is not None and v != [] and not (v == "" and k in (
            "delete_marker_replication_status", "account_id", "replica_kms_key_id", "storage_class"))}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value.replace("${", "$${") if isinstance(value, str) else value


@pytest.mark.parametrize("fixture", PLANNED)
def test_terraform_plan_agrees_with_our_static_evaluation(terraform_env, plans, fixture):
    from converter.grammar import api_path
    from converter.values import resolve_all

    # References kept as written (var.x with its value as default) compare by their value.
    ours = {c.origin: resolve_all(c, {}, api_path)[0]
            for c in read(terraform_env / "fixtures" / fixture, context=ReadContext(environ={}))}
    theirs = plans[fixture]
    assert set(ours) == set(theirs)
    for address, config in ours.items():
        plan = theirs[address]
        assert sorted(config.rules, key=lambda r: str(r.id)) == sorted(plan.rules, key=lambda r: str(r.id)), address
        for name in ("bucket", "role"):
            value, expected = (v.default if isinstance(v, Ref) else v for v in (getattr(config, name), getattr(plan, name)))
            if expected != "unknown-until-apply":
                assert value == expected, (address, name)


@pytest.mark.parametrize("command", [["show"], ["validate"], ["convert", "--to", "json"], ["iam", "--to", "json"],
                                     ["diff", FIXTURES / "for-each-toggle"]])
def test_var_and_var_file_reach_every_command_that_reads(cli, tmp_path, command):
    values = tmp_path / "values.tfvars"
    values.write_text('buckets = { src = "arn:aws:s3:::dst" }\n')
    without = cli(command[0], FIXTURES / "needs-input", *command[1:])
    assert without.exit_code == 2 and "Pass --var var.buckets=..." in without.stderr
    for given in (["--var-file", values], ["--var", 'var.buckets={ src = "arn:aws:s3:::dst" }']):
        result = cli(command[0], FIXTURES / "needs-input", *command[1:], *given)
        assert "Pass --var" not in result.stderr and result.exit_code in (0, 1), result.output


@pytest.mark.parametrize("meta,key,instances", [
    ('for_each = toset(["alpha", "beta"])', "each.key", ['["alpha"]', '["beta"]']),
    ("count = 2", "count.index", ["[0]", "[1]"]),
])
def test_an_index_written_as_an_expression_names_each_instance_s_own_bucket(cli, tmp_path, meta, key, instances):
    # aws_s3_bucket.src[each.key].id is a different bucket in each instance: one shared parameter would merge them
    names = ["alpha", "beta"] if key == "each.key" else ["0", "1"]
    (tmp_path / "main.tf").write_text(f"""
resource "aws_s3_bucket" "src" {{
  {meta}
  bucket = "src-${{{key}}}"
}}

resource "aws_s3_bucket_versioning" "src" {{
  {meta}
  bucket = aws_s3_bucket.src[{key}].id
  versioning_configuration {{
    status = "Enabled"
  }}
}}

resource "aws_s3_bucket_replication_configuration" "this" {{
  {meta}
  bucket = aws_s3_bucket.src[{key}].id
  role   = aws_iam_role.replication.arn
  rule {{
    status = "Enabled"
    destination {{
      bucket = "arn:aws:s3:::dst"
    }}
  }}
}}
""")
    configs = read(tmp_path, context=ReadContext(environ={}))
    assert [(c.bucket.target, c.bucket.attribute, c.bucket.default) for c in configs] == [
        (f"aws_s3_bucket.src{i}", "id", f"src-{n}") for i, n in zip(instances, names)]
    template = cli("convert", str(tmp_path), "--to", "cloudformation", "--allow-lossy")
    assert template.exit_code == 0, template.output
    assert [f"BucketName: src-{n}" in template.stdout for n in names] == [True, True]


def test_each_child_module_instance_names_its_own_resources(cli, tmp_path):
    # module "repl" { for_each = ... }: each instance's aws_iam_role.repl and aws_s3_bucket.this are its own
    child = tmp_path / "modules" / "repl"
    child.mkdir(parents=True)
    (child / "main.tf").write_text("""
variable "name" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_replication_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  role   = aws_iam_role.repl.arn
  rule {
    status = "Enabled"
    destination {
      bucket = "arn:aws:s3:::dst"
    }
  }
}
""")
    (tmp_path / "main.tf").write_text('module "repl" {\n  source   = "./modules/repl"\n  for_each = toset(["a", "b"])\n'
                                      '  name     = "src-${each.key}"\n}\n')
    configs = read(tmp_path, context=ReadContext(environ={}))
    assert [(c.bucket.target, c.bucket.default, c.role.target) for c in configs] == [
        (f'module.repl["{k}"].aws_s3_bucket.this', f"src-{k}", f'module.repl["{k}"].aws_iam_role.repl') for k in "ab"]
    template = cli("convert", str(tmp_path), "--to", "cloudformation", "--allow-lossy")
    assert template.exit_code == 0, template.output
    assert "BucketName: src-a" in template.stdout and "BucketName: src-b" in template.stdout
    assert 'Stands for module.repl["a"].aws_iam_role.repl.arn' in template.stdout
    assert 'Stands for module.repl["b"].aws_iam_role.repl.arn' in template.stdout
