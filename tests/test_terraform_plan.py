"""terraform-plan: `terraform show -json` of real plans reads as the HCL they were planned from (real terraform here)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, as_read_by
from terraform_harness import cli_config, missing

from converter import read, validate
from converter.errors import InputError, Refusal
from converter.model import dump
from converter.values import Ref

FIXTURES = ROOT / "tests" / "fixtures" / "tf-plan"
CAPTURED = FIXTURES / "plan.json"  # terraform show -json of expand/ and the minimal-same-account sample as a module
# Samples whose .tf files plan as they are (no variable without default, no resource they do not declare).
LITERAL = ["cfn-three-buckets", "cross-account-kms-owner", "disabled-rule", "empty-filter", "minimal-same-account",
           "rtc-metrics", "tf-tricky", "two-destinations", "v1-console-export", "v2-prefix-and-tags"]
# Module name in the planned root -> the HCL file it holds (provider v3's legacy.tf is read as terraform reads it).
MODULES = {f"{name.replace('-', '_')}{suffix}": ROOT / "samples" / name / file
           for name in LITERAL for suffix, file in (("", "main.tf"), ("_legacy", "legacy.tf"), ("_input", "input/main.tf"))
           if (ROOT / "samples" / name / file).exists()}
# Samples whose references plan once the module declares what they point at (stubs.tf) and gets its inputs; reading the
# HCL with the same inputs (--var) and what the data sources say must give what the plan computed.
REFERENCING = {
    "cfn_conditions": ("cfn-conditions", "", {"data_bucket_name": "acme-data"}),
    "cfn_references": ("cfn-references", "",
                       {"replication_role_arn": "arn:aws:iam::111122223333:role/replication",
                        "replica_bucket_arn": "arn:aws:s3:::acme-replica",
                        "replica_key_arn": "arn:aws:kms:us-east-1:111122223333:key/replica",
                        "shared_replica_bucket_arn": "arn:aws:s3:::acme-shared"}),
}
DATA_SOURCES = {"data.aws_partition.current.partition": "aws", "data.aws_region.current.name": "us-east-1"}
PROVIDER = """provider "aws" {
  region                      = "us-east-1"
  access_key                  = "fake"
  secret_key                  = "fake"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
"""


def plan(folder: Path, cache_dir: Path) -> Path:
    """terraform init, plan and show -json in a folder (offline, from the mirror); the JSON's path."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    executable = shutil.which("terraform")
    config = cli_config(folder)
    cache_dir.mkdir(exist_ok=True)
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(config), "TF_PLUGIN_CACHE_DIR": str(cache_dir),
           "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    for command in (["init", "-input=false"], ["plan", "-input=false", "-refresh=false", "-out=p"]):
        done = subprocess.run([executable, *command, "-no-color"], cwd=folder, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    shown = subprocess.run([executable, "show", "-json", "p"], cwd=folder, env=env, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    (folder / "plan.json").write_text(shown.stdout)
    return folder / "plan.json"


@pytest.fixture(scope="module")
def planned_root(tmp_path_factory) -> tuple[list, Path]:
    """The configurations of one real plan (expand/ at the root, samples as child modules), and its folder."""
    folder = tmp_path_factory.mktemp("root")
    (folder / "provider.tf").write_text(PROVIDER)
    shutil.copy(FIXTURES / "expand" / "main.tf", folder / "main.tf")
    calls = []
    for name, path in MODULES.items():
        (folder / "modules" / name).mkdir(parents=True)
        shutil.copy(path, folder / "modules" / name / path.name)
        calls.append(f'module "{name}" {{\n  source = "./modules/{name}"\n}}\n')
    for name, (sample, stubs, inputs) in REFERENCING.items():
        (folder / "modules" / name).mkdir(parents=True)
        shutil.copy(ROOT / "samples" / sample / "main.tf", folder / "modules" / name / "main.tf")
        (folder / "modules" / name / "stubs.tf").write_text(stubs)
        arguments = "".join(f"  {key} = {json.dumps(value)}\n" for key, value in inputs.items())
        calls.append(f'module "{name}" {{\n  source = "./modules/{name}"\n{arguments}}}\n')
    # A module called with for_each: its instances share one configuration (module.x["k"].aws_...).
    arguments = "".join(f"  {key} = {json.dumps(value)}\n" for key, value in REFERENCING["cfn_references"][2].items())
    calls.append(f'module "each" {{\n  for_each = toset(["k"])\n  source = "./modules/cfn_references"\n{arguments}}}\n')
    (folder / "modules.tf").write_text("\n".join(calls))
    return read(plan(folder, tmp_path_factory.getbasetemp() / "plugin-cache"), "terraform-plan"), folder


@pytest.fixture(scope="module")
def planned(planned_root) -> list:
    return planned_root[0]


def unordered(configs: list) -> list:
    """What Terraform does not order: resources (the plan sorts addresses), provider v3's rules (a set) and tags (a map,
    its keys sorted)."""
    out = []
    for config in sorted(configs, key=lambda c: c.origin):
        rules = []
        v3 = config.origin.split(".")[-2] == "aws_s3_bucket"
        for rule in sorted(config.rules, key=lambda r: str(r.id)) if v3 else config.rules:
            if rule.filter and rule.filter.and_ and rule.filter.and_.tags:
                tags = tuple(sorted(rule.filter.and_.tags, key=lambda t: str(t.key)))
                rule = rule.model_copy(update={"filter": rule.filter.model_copy(update={
                    "and_": rule.filter.and_.model_copy(update={"tags": tags})})})
            rules.append(rule)
        out.append(config.model_copy(update={"rules": tuple(rules)}))
    return out


@pytest.mark.parametrize("module", MODULES)
def test_a_plan_reads_as_the_hcl_it_was_planned_from(planned, module):
    from_plan = [c for c in planned if c.origin.startswith(f"module.{module}.")]
    from_hcl = read(MODULES[module], "terraform")
    assert [c.origin for c in from_plan] == sorted(f"module.{module}.{c.origin}" for c in from_hcl)
    assert as_read_by("terraform", unordered(from_plan)) == as_read_by("terraform", unordered(from_hcl))


def outside(module: str, obj):
    """A model object with the references of a child module's resources as the module itself writes them."""
    from pydantic import BaseModel

    if isinstance(obj, Ref):
        parts = tuple(outside(module, p) for p in obj.parts) if obj.parts else obj.parts
        return obj.model_copy(update={"parts": parts, "target": (obj.target or "").removeprefix(f"module.{module}.")
                                      if obj.target else obj.target})
    if isinstance(obj, BaseModel):
        return obj.model_copy(update={k: outside(module, getattr(obj, k)) for k in type(obj).model_fields})
    if isinstance(obj, tuple):
        return tuple(outside(module, v) for v in obj)
    return obj


@pytest.mark.parametrize("module,address", [(name, name) for name in REFERENCING] + [("cfn_references", 'each["k"]')])
def test_a_plan_computes_what_the_hcl_refers_to(planned_root, module, address):
    from converter.values import resolve_all

    configs, folder = planned_root
    from_plan = [outside(address, c) for c in configs if c.origin.startswith(f"module.{address}.")]
    inputs = {f"var.{key}": value for key, value in REFERENCING[module][2].items()}
    # variables s3repl wrote stand for CloudFormation references (their descriptions say which): the same values
    stand_ins = {"SharedReplicaBucketArn": "var.shared_replica_bucket_arn", "ReplicaBucket.Arn": "var.replica_bucket_arn",
                 "ReplicationRole.Arn": "var.replication_role_arn", "DataBucket": "var.data_bucket_name"}
    inputs.update({ref: inputs[var] for ref, var in stand_ins.items() if var in inputs})
    from_hcl = [resolve_all(c, {**inputs, **DATA_SOURCES}, str)[0] for c in read(folder / "modules" / module)]
    assert from_plan and as_read_by("terraform", unordered(from_plan)) == as_read_by("terraform", unordered(from_hcl))


def test_count_for_each_and_dynamic_blocks_read_as_written_out(planned):
    from_plan = [c for c in planned if not c.origin.startswith("module.")]
    assert [c.origin for c in from_plan] == ['aws_s3_bucket_replication_configuration.counted[0]',
                                             'aws_s3_bucket_replication_configuration.each["a"]',
                                             'aws_s3_bucket_replication_configuration.each["b"]']
    assert as_read_by("terraform", from_plan) == as_read_by("terraform", read(FIXTURES / "expanded" / "main.tf"))


def test_values_known_only_after_apply_are_references(planned):
    counted, each_a, _ = [c for c in planned if not c.origin.startswith("module.")]
    role = Ref(kind="resource", target="aws_iam_role.replication", attribute="arn", resource_type="aws_iam_role")
    assert counted.role == each_a.role == role
    assert counted.rules[0].destination.bucket == Ref(kind="resource", target="aws_s3_bucket.replica", attribute="arn",
                                                      resource_type="aws_s3_bucket")
    assert each_a.bucket == Ref(kind="resource", target='aws_s3_bucket.source["a"]', attribute="id",
                                resource_type="aws_s3_bucket", default="acme-source-a")


# --- the captured plan: the reader tested where terraform is not installed --------------------------------------

def test_the_captured_plan_reads_with_child_modules_and_references():
    configs = read(CAPTURED)  # detected
    assert [c.origin for c in configs] == ['aws_s3_bucket_replication_configuration.counted[0]',
                                           'aws_s3_bucket_replication_configuration.each["a"]',
                                           'aws_s3_bucket_replication_configuration.each["b"]',
                                           "module.minimal.aws_s3_bucket_replication_configuration.minimal_same_account_source"]
    assert as_read_by("terraform", configs[:3]) == as_read_by("terraform", read(FIXTURES / "expanded" / "main.tf"))
    assert as_read_by("terraform", configs[3:]) == as_read_by(
        "terraform", read(ROOT / "samples" / "minimal-same-account" / "main.tf"))
    assert dump(configs[:1])["configurations"][0]["role"] == {
        "kind": "resource", "target": "aws_iam_role.replication", "attribute": "arn", "resource_type": "aws_iam_role"}


def test_state_json_reads_like_the_plan(tmp_path):
    """`terraform show -json` of the state holds values.root_module, every value known: the child module's here."""
    data = json.loads(CAPTURED.read_text())
    state = tmp_path / "state.json"
    modules = data["planned_values"]["root_module"]["child_modules"]
    state.write_text(json.dumps({"format_version": "1.0", "terraform_version": data["terraform_version"],
                                 "values": {"root_module": {"child_modules": modules}}}))
    assert read(state) == read(CAPTURED)[3:]


@pytest.mark.parametrize("text,message", [
    ('{"format_version": "1.2", "terraform_version": "1.11.4", "values": {"root_module": {}}}',
     "the plan has no aws_s3_bucket_replication_configuration"),
    ('{"format_version": "1.2", "terraform_version": "1.11.4", "values": []}', "not `terraform show -json` output"),
])
def test_plans_without_replication_are_refused_clearly(tmp_path, text, message):
    path = tmp_path / "plan.json"
    path.write_text(text)
    with pytest.raises((InputError, Refusal), match=message):
        read(path, "terraform-plan")


def test_writing_a_plan_is_refused(cli):
    result = cli("convert", ROOT / "samples" / "minimal-same-account" / "main.tf", "--to", "tf-plan")
    assert result.exit_code == 2
    assert "terraform-plan is an input format only" in result.stderr and "--to terraform" in result.stderr


@pytest.mark.parametrize("indent", [None, 2], ids=["as-terraform-prints", "pretty"])
def test_findings_point_at_the_resource_in_the_plan(tmp_path, indent):
    data = json.loads(CAPTURED.read_text())
    counted = next(r for r in data["planned_values"]["root_module"]["resources"]
                   if r["address"] == "aws_s3_bucket_replication_configuration.counted[0]")
    counted["values"]["rule"][0]["delete_marker_replication"][0]["status"] = "Enabled"  # S3 refuses it with tags
    path = tmp_path / "plan.json"
    text = json.dumps(data, indent=indent, separators=(",", ":") if indent is None else None)
    path.write_text(text)
    (finding,) = validate(path)
    where = text.index('"address":' + (" " if indent else "") + json.dumps(counted["address"]))
    assert (finding.code, finding.line, finding.column) == (
        "E110", text.count("\n", 0, where) + 1, where - (text.rfind("\n", 0, where) + 1) + 1)
