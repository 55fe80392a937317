"""IAM documents: parliament finds nothing medium or worse; each permission is what the configuration needs, no more."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, SAMPLES
from parliament import analyze_policy_string, enhance_finding

from converter import loads, read
from converter.iam import Options, documents

SOURCE_KEY = "arn:aws:kms:us-east-1:111122223333:key/0000aaaa-11bb-22cc-33dd-444444eeeeee"
LITERAL = [c for s in SAMPLES if (s / "cli-json.json").exists() for c in read(s / "model.json")]


def findings(policy: dict) -> list[str]:
    """parliament's findings of severity medium or higher."""
    analyzed = analyze_policy_string(json.dumps(policy), include_community_auditors=False)
    return [f"{f.issue} {f.detail}" for f in map(enhance_finding, analyzed.findings)
            if f.severity in ("MEDIUM", "HIGH", "CRITICAL")]


def docs(config, **options):
    return documents(config, Options(source_kms_keys=(SOURCE_KEY,), **options))


@pytest.mark.parametrize("config", LITERAL, ids=lambda c: c.bucket)
def test_parliament_finds_nothing_in_any_policy(config):
    for name, document in docs(config, batch=True, manifest_bucket="manifests", report_bucket="reports").items():
        if name == "trust-policy":  # parliament reads a trust policy (no Resource) as MALFORMED: checked below
            continue
        policy = document if "Version" in document else {"Version": "2012-10-17", "Statement": [
            {**document, "Resource": "arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}
        assert policy["Version"] == "2012-10-17"
        assert findings(policy) == [], (config.bucket, name)


@pytest.mark.parametrize("config", LITERAL, ids=lambda c: c.bucket)
def test_trust_policy_by_its_own_rules(config):
    (statement,) = docs(config)["trust-policy"]["Statement"]
    assert statement["Principal"] == {"Service": ["s3.amazonaws.com"]} and statement["Action"] == "sts:AssumeRole"
    (batch,) = docs(config, batch=True, manifest_bucket="m", report_bucket="r")["trust-policy"]["Statement"]
    assert batch["Principal"]["Service"] == ["s3.amazonaws.com", "batchoperations.s3.amazonaws.com"]


def actions(document) -> set[str]:
    return {a for s in document["Statement"] for a in s["Action"]}


@pytest.mark.parametrize("config", LITERAL, ids=lambda c: c.bucket)
def test_permissions_are_exactly_what_the_configuration_needs(config):
    policy = docs(config)["permissions-policy"]
    kms = any(r.source_selection_criteria and r.source_selection_criteria.sse_kms_encrypted_objects for r in config.rules)
    owner = any(r.destination.access_control_translation for r in config.rules)
    assert any(a.startswith("kms:") for a in actions(policy)) == kms
    assert ("s3:ObjectOwnerOverrideToBucketOwner" in actions(policy)) == owner
    assert "s3:GetObjectVersion" not in actions(policy)  # GetObjectVersionForReplication covers SSE-KMS objects too
    replica_resources = [r for s in policy["Statement"] if "s3:ReplicateObject" in s["Action"] for r in s["Resource"]]
    destinations = {r.destination.bucket for r in config.rules}
    assert {r.split("/")[0] for r in replica_resources} == destinations  # one per destination bucket, nothing else


def test_prefixes_narrow_only_where_exact():
    (two,) = read(ROOT / "samples" / "two-destinations" / "model.json")
    resources = {s["Sid"]: s["Resource"] for s in docs(two)["permissions-policy"]["Statement"]}
    assert resources["ReadSourceObjects"] == ["arn:aws:s3:::two-destinations-source/*"]  # a tag-only rule reads every key
    assert sorted(resources["ReplicateToDestinations"]) == ["arn:aws:s3:::images-replica-eu-west-1/*",
                                                            "arn:aws:s3:::logs-replica-us-west-2/logs/*"]
    (cross,) = read(ROOT / "samples" / "cross-account-kms-owner" / "model.json")
    statements = {s["Sid"]: s for s in docs(cross)["permissions-policy"]["Statement"]}
    assert statements["ReadSourceObjects"]["Resource"] == ["arn:aws:s3:::prod-data-source/data/*"]
    assert statements["DecryptSourceObjects"]["Condition"]["StringLike"] == {
        "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::prod-data-source/data/*"]}
    assert statements["EncryptReplicas"]["Condition"]["StringLike"]["kms:ViaService"] == "s3.us-west-2.amazonaws.com"


def test_cross_account_destination_gets_a_bucket_and_key_policy():
    (cross,) = read(ROOT / "samples" / "cross-account-kms-owner" / "model.json")
    names = sorted(docs(cross))
    assert names == ["destination-bucket-policy:backup-data-replica",
                     "kms-key-policy-statement:arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                     "permissions-policy", "trust-policy"]
    same_account = cross.model_copy(update={"rules": tuple(r.model_copy(update={"destination": r.destination.model_copy(
        update={"account": "111122223333"})}) for r in cross.rules)})
    assert sorted(docs(same_account)) == ["permissions-policy", "trust-policy"]


@pytest.mark.parametrize("args,code,message", [
    ([], 2, "does not name the source bucket's KMS keys (pass --source-kms-key ARN (once per key))"),
    (["--source-kms-key", "alias/mine"], 2, "'alias/mine' is not a KMS key ARN"),
    (["--source-kms-key", SOURCE_KEY, "--batch"], 2, "batch replication needs the manifest and report buckets"),
])
def test_bad_options(cli, args, code, message):
    result = cli("iam", ROOT / "samples" / "cross-account-kms-owner" / "cli-json.json", *args)
    assert result.exit_code == code and message in result.stderr


def test_unresolved_role_reference(cli):
    result = cli("iam", ROOT / "samples" / "cfn-references" / "template.yaml", "--source-kms-key", SOURCE_KEY)
    assert result.exit_code == 1
    assert "ReplicationRole.Arn is a reference; IAM documents need a literal (pass --var ReplicationRole.Arn=VALUE)" in result.stderr


def test_documents_one_file_each(cli, tmp_path):
    result = cli("iam", ROOT / "samples" / "two-destinations" / "cli-json.json", "--bucket", "two-destinations-source",
                 "-o", f"{tmp_path}/")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two-destinations-source.permissions-policy.json",
                                                          "two-destinations-source.trust-policy.json"]
    assert json.loads((tmp_path / "two-destinations-source.trust-policy.json").read_text())["Version"] == "2012-10-17"


def test_malformed_replica_key_in_the_configuration():
    config = loads(json.dumps({"Role": "arn:aws:iam::111122223333:role/r", "Rules": [{
        "Priority": 1, "Filter": {}, "Status": "Enabled", "DeleteMarkerReplication": {"Status": "Disabled"},
        "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
        "Destination": {"Bucket": "arn:aws:s3:::dest-bucket", "EncryptionConfiguration": {"ReplicaKmsKeyID": "key-1"}}}]}),
        "cli-json")[0].model_copy(update={"bucket": "src"})
    from converter.errors import Refusal

    with pytest.raises(Refusal, match="'key-1' is not a KMS key ARN"):
        docs(config)


# --- the documents in every output ------------------------------------------------------------------
from converter.iam_output import render  # noqa: E402


def outputs(target):
    return [(config, render(target, config, docs(config))) for config in LITERAL]


def test_cloudformation_output_passes_cfn_lint():
    from test_cloudformation import errors_of

    for config, files in outputs("cloudformation"):
        for name, text in files.items():
            assert errors_of(text) == [], (config.bucket, name)
        source = next(text for name, text in files.items() if name.endswith(".source.yaml"))
        assert f"RoleName: {config.role.rsplit('/', 1)[-1]}" in source  # the role the configuration names


def test_terraform_output_parses_with_hashicorps_parser(tmp_path):
    from test_terraform import hcl2json

    written = []
    for config, files in outputs("terraform"):
        for name, text in files.items():
            path = tmp_path / name
            path.write_text(text)
            written.append((config, path))
    parsed = hcl2json([p for _, p in written])
    for config, path in written:
        tree = parsed[path]
        assert set(tree["data"]["aws_iam_policy_document"]) >= {f"{path.name.split('.')[0].replace('-', '_')}_trust"}
        (role,) = tree["resource"]["aws_iam_role"].values()
        assert role[0]["name"] == config.role.rsplit("/", 1)[-1]
        versioned = {v[0]["bucket"] for v in tree["resource"]["aws_s3_bucket_versioning"].values()}
        assert versioned == {config.bucket} | {r.destination.bucket.split(":::")[1] for r in config.rules}


def test_cli_script_passes_bash_n_and_its_files_exist(tmp_path):
    import re
    import subprocess

    for config, files in outputs("cli-script"):
        folder = tmp_path / str(config.bucket)
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text)
        (script,) = [p for p in folder.iterdir() if p.suffix == ".sh"]
        subprocess.run(["bash", "-n", str(script)], check=True)
        referenced = re.findall(r"file://(\S+)", script.read_text())
        assert referenced and all((folder / name).is_file() for name in referenced), referenced
        assert json.loads((folder / f"{config.bucket}.replication.json").read_text())["Role"] == config.role


def test_convert_with_iam_points_the_configuration_at_the_role_it_writes(cli, tmp_path):
    from test_cloudformation import errors_of
    from test_terraform import hcl2json

    source = ROOT / "samples" / "cross-account-kms-owner" / "cli-json.json"
    args = ["--with-iam", "--source-kms-key", SOURCE_KEY]
    cfn = cli("convert", source, "--to", "cfn", *args)
    assert cfn.exit_code == 0, cfn.stderr
    assert "Role: !GetAtt ProdDataSourceReplicationRole.Arn" in cfn.stdout and "Type: AWS::IAM::Role" in cfn.stdout
    assert errors_of(cfn.stdout) == []
    assert "its bucket policy deploys there (write it with s3repl iam --to cloudformation" in cfn.stderr

    tf = cli("convert", source, "--to", "tf", *args)
    assert tf.exit_code == 0, tf.stderr
    path = tmp_path / "main.tf"
    path.write_text(tf.stdout)
    tree = hcl2json([path])[path]
    (replication,) = tree["resource"]["aws_s3_bucket_replication_configuration"].values()
    assert replication[0]["role"] == "${aws_iam_role.prod_data_source_replication.arn}"
    assert "prod_data_source_replication" in tree["resource"]["aws_iam_role"]

    out = tmp_path / "json"
    assert cli("convert", source, "--to", "json", *args, "-o", out).exit_code == 0
    assert sorted(p.name for p in out.iterdir())[:2] == ["prod-data-source.destination-bucket-policy_backup-data-replica.json",
                                                         "prod-data-source.json"]
    assert cli("convert", source, "--to", "json", *args).exit_code == 2  # documents beside it need -o DIR


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from converter.iam import _objects  # noqa: E402


@given(st.sets(st.text(alphabet="ab/é", max_size=4), max_size=12))
def test_prefixes_pruned_in_one_pass_as_pairwise(prefixes):
    """The pairwise pruning it replaced is the oracle: keep each prefix no other prefix in the set starts."""
    if "" in prefixes or not prefixes:
        expected = ["arn:aws:s3:::b/*"]
    else:
        expected = [f"arn:aws:s3:::b/{p}*" for p in sorted(p for p in prefixes
                                                            if not any(p != q and p.startswith(q) for q in prefixes))]
    assert _objects("arn:aws:s3:::b", prefixes) == expected
