"""Cross-account output: each destination account's resources on a provider pinned to that account (real `terraform
validate`), the replica key's statement in every output (never a replaced key policy), and the note that a bucket
policy REPLACES the existing one. Same-account configurations get none of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cfn_tools import load_yaml
from conftest import ROOT
from test_cloudformation import errors_of
from test_iam import findings
from typer.testing import CliRunner

from converter.cli import app

CROSS = ROOT / "samples" / "cross-account-kms-owner"
SOURCE_KEY = "arn:aws:kms:us-east-1:111122223333:key/0000aaaa-11bb-22cc-33dd-444444eeeeee"
KEY = "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
THIRD_KEY = "arn:aws:kms:eu-west-1:999900001111:key/5678efgh-12ab-34cd-56ef-1234567890ab"  # an account with no bucket
ROLE = "arn:aws:iam::111122223333:role/prod-replication"


def _rule(number: int, bucket: str, account: str, key: str | None = None) -> dict:
    destination = {"Bucket": f"arn:aws:s3:::{bucket}", "Account": account}
    rule = {"ID": f"r{number}", "Priority": number, "Filter": {"Prefix": f"p{number}/"}, "Status": "Enabled",
            "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": destination}
    if key:
        destination["EncryptionConfiguration"] = {"ReplicaKmsKeyID": key}
        rule["SourceSelectionCriteria"] = {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    return rule


# Two other accounts with buckets, a third holding only a replica key, and a rule into the source account itself.
TWO_ACCOUNTS = {"Bucket": "multi-source", "ReplicationConfiguration": {"Role": ROLE, "Rules": [
    _rule(1, "replica-four", "444455556666", KEY), _rule(2, "replica-seven", "777788889999", THIRD_KEY),
    _rule(3, "replica-home", "111122223333")]}}

# A central backup account: two sources, with their own roles, replicate into one bucket of another account.
CENTRAL = {name: {"Bucket": f"{name}-source", "ReplicationConfiguration": {
    "Role": f"arn:aws:iam::111122223333:role/{name}", "Rules": [_rule(1, "backup-central", "444455556666", KEY)]}}
    for name in ("alpha", "beta")}
KEYS_OF = {"backup-data-replica": {KEY}, "replica-four": {KEY}, "replica-seven": {THIRD_KEY}}  # the rules' replica keys
# input, extra arguments, destination bucket -> the alias its resources must use (None: the source's provider),
# replica key -> alias of its statement's data source
CASES = {
    "cli-json": (CROSS / "cli-json.json", [], {"backup-data-replica": "destination_444455556666"},
                 {KEY: "destination_444455556666"}),
    "cloudformation": (CROSS / "cloudformation.yaml", [], {"backup-data-replica": "destination_444455556666"},
                       {KEY: "destination_444455556666"}),
    "terraform": (CROSS / "main.tf", [], {"backup-data-replica": "destination_444455556666"},
                  {KEY: "destination_444455556666"}),
    "s3-xml": (CROSS / "s3-xml.xml", ["--bucket", "prod-data-source"], {"backup-data-replica": "destination_444455556666"},
               {KEY: "destination_444455556666"}),
    "two-accounts": (None, [], {"replica-four": "destination_444455556666", "replica-seven": "destination_777788889999",
                                "replica-home": None}, {KEY: "destination_444455556666", THIRD_KEY: "destination_999900001111"}),
    "same-account": (ROOT / "samples" / "minimal-same-account" / "cli-json.json", ["--bucket", "minimal-source"], {}, {}),
}


def _run(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, tuple[Path, list]]:
    folder = tmp_path_factory.mktemp("cross-inputs")
    (folder / "two.json").write_text(json.dumps(TWO_ACCOUNTS), encoding="utf-8")
    for name, document in CENTRAL.items():
        (folder / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")
    return {name: (path or folder / "two.json", args) for name, (path, args, _, _) in CASES.items()} | {
        name: (folder / f"{name}.json", []) for name in CENTRAL}


@pytest.fixture(scope="module")
def terraform_outputs(inputs, tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """case -> (the written .tf, stderr) of convert --to terraform --with-iam."""
    folder, out = tmp_path_factory.mktemp("cross-tf"), {}
    for name, (path, args) in inputs.items():
        target = folder / name / "main.tf"
        target.parent.mkdir()
        code, _, stderr = _run("convert", path, "--to", "terraform", "--with-iam", "--source-kms-key", SOURCE_KEY,
                               *args, "-o", target)
        assert code == 0, (name, stderr)
        out[name] = (target, stderr)
    return out


@pytest.fixture(scope="module")
def parsed(terraform_outputs) -> dict[str, dict]:
    """HashiCorp's parser (hcl2json) on each written file."""
    from test_terraform import hcl2json

    trees = hcl2json([path for path, _ in terraform_outputs.values()])
    return {name: trees[path] for name, (path, _) in terraform_outputs.items()}


def test_terraform_validate_passes_on_every_output(terraform, inputs, terraform_outputs):
    """Each written file as a module of one root (real terraform and provider): the aliases it uses are declared."""
    tf = terraform("cross-account")
    calls = []
    for name, (path, _) in terraform_outputs.items():
        tf.write(f"{name}/main.tf", path.read_text("utf-8"))
        calls.append(f'module "{name.replace("-", "_")}" {{\n  source = "./{name}"\n}}\n')
    for fmt, file in (("terraform-legacy", "main.tf"), ("terraform-json", "")):  # the other Terraform writers
        path, args = inputs["two-accounts"]
        code, _, stderr = _run("convert", path, "--to", fmt, "--with-iam", *args, "--source-kms-key", SOURCE_KEY,
                               "-o", tf.workdir / fmt / file if file else f"{tf.workdir / fmt}/")
        assert code == 0, stderr
        calls.append(f'module "{fmt.replace("-", "_")}" {{\n  source = "./{fmt}"\n}}\n')
    # Configurations with a destination in the same account, into one module: its provider is declared once; with
    # the same destination bucket, one bucket policy (a second would replace the first) and one versioning.
    (cross, _), (two, _), (alpha, _), (beta, _) = (inputs[name] for name in ("cli-json", "two-accounts", "alpha", "beta"))
    for label, paths in (("both", [cross, two]), ("central", [alpha, beta])):
        for command in (["iam", *paths, "--to", "terraform"], ["convert", *paths, "--to", "terraform", "--with-iam"]):
            folder = f"{label}_{command[0]}"
            code, _, stderr = _run(*command, "--source-kms-key", SOURCE_KEY, "-o", f"{tf.workdir / folder}/")
            assert code == 0, stderr
            text = "".join(p.read_text("utf-8") for p in (tf.workdir / folder).iterdir())
            assert len(re.findall(r'alias += "destination_444455556666"', text)) == 1, command
            if label == "central":
                assert text.count('resource "aws_s3_bucket_policy"') == 1, command
                assert text.count('bucket   = "backup-central"') == 2, command  # its versioning, its policy
            calls.append(f'module "{folder}" {{\n  source = "./{folder}"\n}}\n')
    tf.write("main.tf", "\n".join(calls))
    tf.init()
    tf.run("validate")  # raises with terraform's message naming the module and the undeclared provider


def test_a_wrong_alias_fails_terraform_validate(terraform, terraform_outputs):
    """The oracle above would catch a writer that names a provider it does not declare."""
    from terraform_harness import TerraformError

    tf = terraform("cross-account-wrong")
    text = terraform_outputs["cli-json"][0].read_text("utf-8")
    tf.write("main.tf", text.replace("provider = aws.destination_444455556666", "provider = aws.destination"))
    tf.init()
    with pytest.raises(TerraformError, match="Provider configuration not present"):
        tf.run("validate")


def _provider(block: dict) -> str | None:
    value = block.get("provider")
    return value[len("${aws."):-1] if value else None


@pytest.mark.parametrize("case", CASES)
def test_each_account_has_its_provider_pinned_and_reachable(case, parsed):
    tree, (_, _, buckets, keys) = parsed[case], CASES[case]
    accounts = sorted({a for a in [*buckets.values(), *keys.values()] if a})
    providers = tree.get("provider", {}).get("aws", [])
    assert sorted(p["alias"] for p in providers) == accounts  # same account: no provider block at all
    for provider in providers:
        name, account = provider["alias"], provider["alias"].removeprefix("destination_")
        assert provider["allowed_account_ids"] == [account]  # the wrong credentials stop terraform before it writes
        assert provider["profile"] == f"${{var.{name}_profile}}" and provider["region"] == f"${{var.{name}_region}}"
        (assume,) = provider["dynamic"]["assume_role"]
        assert assume["for_each"] == f"${{var.{name}_role_arn == null ? [] : [var.{name}_role_arn]}}"
        assert assume["content"] == [{"role_arn": "${assume_role.value}"}]
        for variable in ("profile", "role_arn", "region"):
            (spec,) = tree["variable"][f"{name}_{variable}"]
            assert spec["default"] is None and account in spec["description"]
    if not accounts:
        assert "variable" not in tree and "output" not in tree


@pytest.mark.parametrize("case", CASES)
def test_destination_resources_use_their_accounts_provider(case, parsed):
    tree, (_, _, buckets, keys) = parsed[case], CASES[case]
    resources, data = tree["resource"], tree["data"]["aws_iam_policy_document"]
    on = {block["bucket"]: _provider(block) for (block,) in resources["aws_s3_bucket_versioning"].values()}
    (replication,) = resources["aws_s3_bucket_replication_configuration"].values()
    source = replication[0]["bucket"]
    assert on.pop(source) is None  # the source account's resources stay on the default provider
    assert {b: a for b, a in on.items() if b in buckets} == buckets
    policies = resources.get("aws_s3_bucket_policy", {})
    assert {block["bucket"]: _provider(block) for (block,) in policies.values()} == {
        b: a for b, a in buckets.items() if a}  # a bucket policy only where the account differs
    for name, (block,) in policies.items():
        document = block["policy"][len("${data.aws_iam_policy_document."):-len(".json}")]
        assert _provider(data[document][0]) == _provider(block)
    for role in ("aws_iam_role", "aws_iam_role_policy", "aws_s3_bucket_replication_configuration"):
        assert all(_provider(block) is None for (block,) in resources[role].values())
    assert "aws_kms_key_policy" not in resources  # it would replace the key's whole policy
    statements = {o[0]["description"].split(" of ")[1].split(" ")[0]: o[0]["value"]
                  for o in tree.get("output", {}).values()}
    assert sorted(statements) == sorted(keys)
    for key, value in statements.items():
        (document,) = data[value[len("${data.aws_iam_policy_document."):-len(".json}")]]
        assert _provider(document) == keys[key]


def _policy(block: dict) -> dict:
    """An aws_iam_policy_document as read by hcl2json, back to policy JSON."""
    statements = []
    for s in block["statement"]:
        statement = {"Sid": s["sid"], "Effect": s["effect"], "Action": s["actions"]}
        if "resources" in s:
            statement["Resource"] = s["resources"]
        if "principals" in s:
            statement["Principal"] = {p["type"]: p["identifiers"] for p in s["principals"]}
        for c in s.get("condition", []):
            statement.setdefault("Condition", {}).setdefault(c["test"], {})[c["variable"]] = c["values"]
        statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _normal(policy: dict) -> dict:
    """Action, Resource, principals and condition values as lists (policy JSON allows a string for one)."""
    def statement(s: dict) -> dict:
        out = {k: _as_list(v) if k in ("Action", "Resource") else v for k, v in s.items()}
        if "Principal" in s:
            out["Principal"] = {t: _as_list(p) for t, p in s["Principal"].items()}
        if "Condition" in s:
            out["Condition"] = {t: {k: _as_list(v) for k, v in c.items()} for t, c in s["Condition"].items()}
        return out

    return {**policy, "Statement": [statement(s) for s in policy["Statement"]]}


@pytest.mark.parametrize("case", CASES)
def test_terraform_policies_are_the_iam_documents_and_parliament_clean(case, inputs, parsed):
    """Every policy document in the Terraform is one of `s3repl iam --to json`'s (the key statement included)."""
    path, args = inputs[case]
    code, stdout, _ = _run("iam", path, *args, "--source-kms-key", SOURCE_KEY)
    assert code == 0
    docs = json.loads(stdout)
    wanted = [_normal(d if "Version" in d else {"Version": "2012-10-17", "Statement": [d]})
              for name, d in docs.items() if name != "trust-policy"]
    written = {name: _normal(_policy(block)) for name, (block,) in parsed[case]["data"]["aws_iam_policy_document"].items()
               if not name.endswith("_trust")}
    key = lambda policy: json.dumps(policy, sort_keys=True)  # noqa: E731
    assert sorted(map(key, written.values())) == sorted(map(key, wanted))
    for name, policy in written.items():
        assert findings(policy) == [], name  # a key policy's Resource "*" is the key itself: low, not reported


@pytest.mark.parametrize("case", CASES)
def test_comments_and_warnings_say_what_replaces_and_what_to_merge(case, terraform_outputs):
    path, stderr = terraform_outputs[case]
    text, buckets, keys = path.read_text("utf-8"), CASES[case][2], CASES[case][3]
    for bucket, alias in buckets.items():
        replaces = re.search(rf"# This REPLACES the whole bucket policy of {bucket} .*\n(#.*\n)*resource "
                             rf'"aws_s3_bucket_policy"', text)
        assert bool(replaces) == bool(alias)
        warned = re.search(rf"^warning: {bucket} is in another account: .* \(written with provider aws.{alias}\); "
                           r"aws_s3_bucket_policy REPLACES the bucket's existing policy", stderr, re.M)
        assert bool(warned) == bool(alias)
    for key in keys:
        assert f"# The replica key {key}\n" in text and "Not written as an aws_kms_key_policy" in text
        assert f"warning: the replica key {key} is in account {key.split(':')[4]}" in stderr
    if not buckets:
        assert "warning" not in stderr and "REPLACES" not in text


def test_one_bucket_policy_holds_every_source_role(inputs, tmp_path):
    """Two sources into one bucket of another account: one aws_s3_bucket_policy grants both roles, Sids unique."""
    from test_terraform import hcl2json

    code, _, stderr = _run("iam", inputs["alpha"][0], inputs["beta"][0], "--to", "terraform", "--source-kms-key",
                           SOURCE_KEY, "-o", f"{tmp_path}/")
    assert code == 0, stderr
    trees = hcl2json(sorted(tmp_path.iterdir()))
    documents = {name: block for tree in trees.values() for name, (block,) in tree["data"]["aws_iam_policy_document"].items()}
    policy = _policy(documents["backup_central_replica"])
    sids = [s["Sid"] for s in policy["Statement"]]
    assert len(sids) == len(set(sids)) == 4
    roles = {r for s in policy["Statement"] for r in s["Principal"]["AWS"]}
    assert roles == {"arn:aws:iam::111122223333:role/alpha", "arn:aws:iam::111122223333:role/beta"}
    assert findings(policy) == []
    keys = [name for name in documents if "_replica_key_" in name]  # each role's statement for the shared key
    assert sorted(keys) == ["alpha_source_replica_key_1234abcd_12ab_34cd_56ef_1234567890ab",
                            "beta_source_replica_key_1234abcd_12ab_34cd_56ef_1234567890ab"]
    code, stdout, stderr = _run("convert", inputs["alpha"][0], inputs["beta"][0], "--to", "cloudformation",
                                "--with-iam", "--source-kms-key", SOURCE_KEY)
    assert code == 0, stderr
    (entry,) = load_yaml(stdout)["Metadata"]["S3replOtherAccounts"].values()
    assert _normal(entry["BucketPolicies"]["backup-central"]) == _normal(policy)
    (statements,) = entry["KeyPolicyStatements"].values()
    assert [s["Principal"]["AWS"] for s in statements] == sorted(roles)
    assert len({s["Sid"] for s in statements}) == 2


# --- CloudFormation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_cloudformation_with_iam_keeps_what_other_accounts_deploy_as_metadata(case, inputs):
    path, args = inputs[case]
    code, stdout, stderr = _run("convert", path, "--to", "cloudformation", "--with-iam", *args,
                                "--source-kms-key", SOURCE_KEY)
    assert code == 0, stderr
    assert errors_of(stdout) == []
    _, buckets, keys = CASES[case][1:]
    other = load_yaml(stdout).get("Metadata", {}).get("S3replOtherAccounts", {})
    docs = json.loads(_run("iam", path, *args, "--source-kms-key", SOURCE_KEY)[1])
    expected: dict = {}
    for bucket, alias in buckets.items():
        if alias:
            entry = expected.setdefault(alias.removeprefix("destination_"), {})
            entry.setdefault("BucketPolicies", {})[bucket] = docs[f"destination-bucket-policy:{bucket}"]
    for key, alias in keys.items():
        entry = expected.setdefault(alias.removeprefix("destination_"), {})
        entry.setdefault("KeyPolicyStatements", {})[key] = [docs[f"kms-key-policy-statement:{key}"]]
    assert {a: {k: v for k, v in e.items() if k != "Note"} for a, e in other.items()} == expected
    for entry in other.values():
        assert ("REPLACES the bucket's existing policy" in entry["Note"]) == ("BucketPolicies" in entry)
        assert ("Merge each statement into the KeyPolicy" in entry["Note"]) == ("KeyPolicyStatements" in entry)
    assert ("AWS::S3::BucketPolicy REPLACES" in stderr) == any(buckets.values())


@pytest.mark.parametrize("case", CASES)
def test_cloudformation_destination_templates(case, inputs, tmp_path):
    path, args = inputs[case]
    code, _, stderr = _run("iam", path, *args, "--to", "cloudformation", "--source-kms-key", SOURCE_KEY,
                           "-o", f"{tmp_path}/")
    assert code == 0, stderr
    _, buckets, keys = CASES[case][1:]
    destinations = sorted(tmp_path.glob("*.destination.yaml"))
    assert sorted(p.name.split(".")[0] for p in destinations) == sorted(b for b, a in buckets.items() if a)
    docs = json.loads(_run("iam", path, *args, "--source-kms-key", SOURCE_KEY)[1])
    for template_path in destinations:
        text = template_path.read_text("utf-8")
        assert errors_of(text) == [], template_path.name
        assert text.startswith("# An AWS::S3::BucketPolicy REPLACES the bucket's existing policy.\n")
        template, bucket = load_yaml(text), template_path.name.split(".")[0]
        policy = template["Resources"]["ReplicationBucketPolicy"]
        assert "REPLACES" in policy["Metadata"]["s3repl"]["Note"]
        assert policy["Properties"]["PolicyDocument"] == docs[f"destination-bucket-policy:{bucket}"]
        mine = {k: [docs[f"kms-key-policy-statement:{k}"]] for k in keys if k in KEYS_OF[bucket]}
        assert template.get("Metadata", {}).get("S3replOtherAccounts", {}).get("KeyPolicyStatements", {}) == mine


# --- the cookbook's cross-account journey --------------------------------------------------------------

def test_the_cookbooks_cross_account_excerpts_are_what_the_command_writes(tmp_path, monkeypatch):
    """docs/cookbook.md "Into another account": its command's output holds each HCL excerpt; stderr is its warnings."""
    page = (ROOT / "docs" / "cookbook.md").read_text("utf-8")
    section = page[page.index("**Into another account.**"):page.index("## 2. ")]
    (command,) = re.findall(r"```sh\n(s3repl [^\n]+)\n```", section)
    excerpts = re.findall(r"```hcl\n(.*?)```", section, re.S)
    (warnings,) = re.findall(r"```text\n(.*?)```", section, re.S)
    monkeypatch.chdir(ROOT)
    args = command.split()[1:]
    code, _, stderr = _run(*args[:args.index("-o")], "-o", f"{tmp_path}/")
    assert code == 0, stderr
    (written,) = tmp_path.iterdir()
    text = written.read_text("utf-8")
    assert len(excerpts) == 4 and all(excerpt in text for excerpt in excerpts)
    assert [line for line in stderr.splitlines() if not line.startswith("wrote ")] == warnings.splitlines()


def test_a_hostile_account_stays_a_string_and_its_alias_an_identifier(tmp_path):
    """An Account holding quotes, a newline and template markers (S3 would refuse it; --no-validate writes it)."""
    from test_terraform import hcl2json

    account = '1"]\n} ${x} %{y}'
    document = {"Bucket": "src", "ReplicationConfiguration": {"Role": ROLE, "Rules": [_rule(1, "dst", account)]}}
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    code, _, stderr = _run("convert", source, "--to", "terraform", "--with-iam", "--no-validate", "-o", tmp_path / "x.tf")
    assert code == 0, stderr
    tree = hcl2json([tmp_path / "x.tf"])[tmp_path / "x.tf"]
    (provider,) = tree["provider"]["aws"]
    assert provider["allowed_account_ids"] == ["1\"]\n} $${x} %%{y}"]  # hcl2json keeps the template escapes
    assert re.fullmatch(r"destination_\w+", provider["alias"])
    (policy,) = tree["resource"]["aws_s3_bucket_policy"].values()
    assert policy[0]["provider"] == f"${{aws.{provider['alias']}}}"


@pytest.mark.parametrize("fmt,flags", [("terraform", ["--import"]), ("terraform-legacy", []), ("terraform", [])])
def test_a_bucket_versioned_by_one_resource_only(fmt, flags, inputs, tmp_path):
    """--with-iam leaves the source's versioning to the writer where it writes one (--import; v3 inline versioning)."""
    path, args = inputs["cli-json"]
    code, _, stderr = _run("convert", path, "--to", fmt, "--with-iam", *flags, "--source-kms-key", SOURCE_KEY,
                           "-o", tmp_path / "main.tf")
    assert code == 0, stderr
    text = (tmp_path / "main.tf").read_text("utf-8")
    managers = len(re.findall(r'resource "aws_s3_bucket_versioning" "\w+" \{\n(?:  provider.*\n)?  bucket += "prod-data-source"',
                              text)) + text.count("versioning {\n    enabled = true")
    assert managers == 1
