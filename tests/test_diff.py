"""s3repl diff compares meaning: every sample equals itself in every format; each single change is one change."""

from __future__ import annotations

import json
from functools import cache

import pytest
from conftest import FORMAT_OF, ROOT, SAMPLES, carried_by
from test_samples import SAME_LANGUAGE

from converter import loads, read
from converter.diff import compare, diff

ROLE = "arn:aws:iam::111122223333:role/replication"


@cache
def configs_of(path):
    return tuple(read(path))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
def test_every_format_of_a_sample_equals_every_other(sample):
    files = [(path, fmt) for s, path, fmt in SAME_LANGUAGE if s == sample]
    assert len(files) >= 3
    for a, fa in files:
        for b, fb in files:  # what a format cannot write around the configuration is a declared loss, not a change
            both = lambda configs: carried_by(fa, carried_by(fb, configs))  # noqa: E731
            report = diff(both(configs_of(a)), both(configs_of(b)))
            assert report.outcome == "equal", (a.name, b.name, report.lines())


def write_json(config) -> str:
    """CLI JSON for a configuration, references given the values the test chooses."""
    from converter import write

    return write([config], "cli-json", variables=VALUES)


VALUES = {"ReplicationRole.Arn": "arn:aws:iam::111122223333:role/r", "AWS::Partition": "aws",
          "AWS::Region": "eu-west-1", "ReplicaKeyArn": "arn:aws:kms:eu-west-1:444455556666:key/k",
          "SharedReplicaBucketArn": "arn:aws:s3:::shared"}


def test_exit_codes(cli, tmp_path):
    sample = ROOT / "samples" / "two-destinations"
    assert cli("diff", sample / "cli-json.json", sample / "legacy.tf").exit_code == 0
    different = cli("diff", sample / "cli-json.json", ROOT / "samples" / "rtc-metrics" / "cli-json.json")
    assert different.exit_code == 1 and "different" in different.stdout
    (live,) = read(ROOT / "samples" / "cfn-references" / "template.yaml")
    literal = tmp_path / "live.json"
    literal.write_text(json.dumps({"Role": "arn:aws:iam::111122223333:role/r", "Rules": json.loads(write_json(live))["Rules"]}))
    # like terraform plan -detailed-exitcode: 0 equal, 1 different, 3 undecided (and which --var decides it)
    undecided = cli("diff", ROOT / "samples" / "cfn-references" / "template.yaml", literal)
    assert undecided.exit_code == 3 and "undecided" in undecided.stdout
    assert ("? Role: 'ReplicationRole.Arn' -> 'arn:aws:iam::111122223333:role/r' (a reference against a value it may "
            "or may not be; pass --var ReplicationRole.Arn=VALUE)") in undecided.stdout
    as_json = json.loads(cli("diff", ROOT / "samples" / "cfn-references" / "template.yaml", literal, "--format", "json").stdout)
    needed = {name for c in as_json["configurations"] for change in c["changes"] for name in change.get("needs", ())}
    values = {**VALUES, "ReplicaBucket.Arn": "arn:aws:s3:::acme-orders-replica"}
    assert as_json["outcome"] == "undecided" and needed == set(values)  # every undecided reference, no more
    decided = cli("diff", ROOT / "samples" / "cfn-references" / "template.yaml", literal,
                  *[arg for name in sorted(needed) for arg in ("--var", f"{name}={values[name]}")])
    assert decided.exit_code == 0, decided.stdout
    assert cli("diff", sample / "cli-json.json", sample / "nope.json").exit_code == 2
    as_json = json.loads(cli("diff", sample / "cli-json.json", sample / "main.tf", "--format", "json").stdout)
    assert as_json["outcome"] == "equal" and as_json["configurations"][0]["changes"] == []


def test_output_as_the_format_is_deprecated_but_works(cli):
    sample = ROOT / "samples" / "two-destinations"
    result = cli("diff", sample / "cli-json.json", sample / "main.tf", "--output", "json")
    assert json.loads(result.stdout)["outcome"] == "equal"
    assert "--output json is deprecated" in result.stderr and "use --format json" in result.stderr


# --- one member at a time -------------------------------------------------------------------------
FULL = {"ID": "full", "Priority": 3, "Filter": {"And": {"Prefix": "data/", "Tags": [{"Key": "k", "Value": "v"},
                                                                                    {"Key": "j", "Value": "w"}]}},
        "Status": "Enabled",
        "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}, "ReplicaModifications": {"Status": "Enabled"}},
        "ExistingObjectReplication": {"Status": "Enabled"},
        "Destination": {"Bucket": "arn:aws:s3:::dest-bucket", "Account": "444455556666", "StorageClass": "STANDARD_IA",
                        "AccessControlTranslation": {"Owner": "Destination"},
                        "EncryptionConfiguration": {"ReplicaKmsKeyID": "arn:aws:kms:us-west-2:444455556666:key/k"},
                        "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
                        "Metrics": {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}},
        "DeleteMarkerReplication": {"Status": "Disabled"}}


def mutated(path: tuple, value):
    document = json.loads(json.dumps({"Role": ROLE, "Rules": [FULL]}))
    target = document
    for step in path[:-1]:
        target = target[step]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return loads(json.dumps(document), "cli-json")[0]


R = ("Rules", 0)
MUTATIONS = [  # (member, new value or None to remove it, the one path the diff must report)
    (("Role",), "arn:aws:iam::111122223333:role/other", "Role"),
    (R + ("Priority",), 4, "Rules[id=full].Priority"),
    (R + ("Status",), "Disabled", "Rules[id=full].Status"),
    (R + ("Filter", "And", "Prefix"), "other/", "Rules[id=full].Filter.Prefix"),
    (R + ("Filter", "And", "Tags"), [{"Key": "k", "Value": "v"}, {"Key": "j", "Value": "x"}], "Rules[id=full].Filter.Tags"),
    (R + ("SourceSelectionCriteria", "SseKmsEncryptedObjects"), None, "Rules[id=full].SourceSelectionCriteria.SseKmsEncryptedObjects.Status"),
    (R + ("SourceSelectionCriteria", "ReplicaModifications", "Status"), "Disabled",
     "Rules[id=full].SourceSelectionCriteria.ReplicaModifications.Status"),
    (R + ("ExistingObjectReplication",), None, "Rules[id=full].ExistingObjectReplication.Status"),
    (R + ("Destination", "Bucket"), "arn:aws:s3:::other-bucket", "Rules[id=full].Destination.Bucket"),
    (R + ("Destination", "Account"), None, "Rules[id=full].Destination.Account"),
    (R + ("Destination", "StorageClass"), "GLACIER", "Rules[id=full].Destination.StorageClass"),
    (R + ("Destination", "AccessControlTranslation"), None, "Rules[id=full].Destination.AccessControlTranslation.Owner"),
    (R + ("Destination", "EncryptionConfiguration", "ReplicaKmsKeyID"), "arn:aws:kms:us-west-2:444455556666:key/other",
     "Rules[id=full].Destination.EncryptionConfiguration.ReplicaKmsKeyID"),
    (R + ("Destination", "ReplicationTime", "Status"), "Disabled", "Rules[id=full].Destination.ReplicationTime.Status"),
    (R + ("Destination", "ReplicationTime", "Time", "Minutes"), 10, "Rules[id=full].Destination.ReplicationTime.Time.Minutes"),
    (R + ("Destination", "Metrics", "Status"), "Disabled", "Rules[id=full].Destination.Metrics.Status"),
    (R + ("Destination", "Metrics", "EventThreshold"), None, "Rules[id=full].Destination.Metrics.EventThreshold.Minutes"),
    (R + ("DeleteMarkerReplication", "Status"), "Enabled", "Rules[id=full].DeleteMarkerReplication.Status"),
]


@pytest.mark.parametrize("member,value,path", MUTATIONS, ids=[".".join(map(str, m[0])) for m in MUTATIONS])
def test_one_member_changed_is_one_change_both_ways(member, value, path):
    base, changed = mutated(("Role",), ROLE), mutated(member, value)
    for a, b in ((base, changed), (changed, base)):
        result = compare(a, b)
        assert [(c.kind, c.path) for c in result.changes] == [("changed", path)]
        assert result.outcome == "different"


def test_a_rule_added_or_removed():
    base = mutated(("Role",), ROLE)
    two = base.model_copy(update={"rules": base.rules + (base.rules[0].model_copy(update={"id": "second"}),)})
    assert [(c.kind, c.path) for c in compare(base, two).changes] == [("added", "Rules[id=second]")]
    assert [(c.kind, c.path) for c in compare(two, base).changes] == [("removed", "Rules[id=second]")]


# --- what means the same ----------------------------------------------------------------------------

def config(*rules):
    return loads(json.dumps({"Role": ROLE, "Rules": list(rules)}), "cli-json")[0]


DEST = {"Bucket": "arn:aws:s3:::dest-bucket"}


def test_v1_equals_v2_with_delete_markers_enabled_and_says_so():
    v1 = config({"ID": "a", "Prefix": "logs/", "Status": "Enabled", "Destination": DEST})
    v2 = config({"ID": "a", "Priority": 7, "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Destination": DEST,
                 "DeleteMarkerReplication": {"Status": "Enabled"}})
    result = compare(v1, v2)
    assert result.outcome == "equal" and "is V1 in A and V2 in B: compared by meaning" in result.notes[0]


def test_v1_differs_from_v2_with_delete_markers_disabled():
    v1 = config({"ID": "a", "Prefix": "logs/", "Status": "Enabled", "Destination": DEST})
    v2 = config({"ID": "a", "Priority": 1, "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Destination": DEST,
                 "DeleteMarkerReplication": {"Status": "Disabled"}})
    (change,) = compare(v1, v2).changes
    assert (change.path, change.a, change.b) == ("Rules[id=a].DeleteMarkerReplication.Status", "Enabled", "Disabled")
    assert change.why == "a V1 rule replicates delete markers; the V2 rule does not"


@pytest.mark.parametrize("a,b", [
    ({"Filter": {}}, {"Filter": {"Prefix": ""}}),
    ({"Filter": {"And": {"Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]}}},
     {"Filter": {"And": {"Tags": [{"Key": "b", "Value": "2"}, {"Key": "a", "Value": "1"}]}}}),
])
def test_equivalent_filters(a, b):
    rule = {"ID": "a", "Priority": 1, "Status": "Enabled", "Destination": DEST, "DeleteMarkerReplication": {"Status": "Disabled"}}
    assert compare(config({**rule, **a}), config({**rule, **b})).outcome == "equal"


def test_rule_order_does_not_matter_and_absent_means_the_default():
    rule = {"Priority": 1, "Filter": {"Prefix": "a/"}, "Status": "Enabled", "Destination": DEST,
            "DeleteMarkerReplication": {"Status": "Disabled"}}
    a = config({**rule, "ID": "one"}, {**rule, "ID": "two", "Priority": 2, "Filter": {"Prefix": "b/"}})
    b = config({**rule, "ID": "two", "Priority": 2, "Filter": {"Prefix": "b/"},
                "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Disabled"}}}, {**rule, "ID": "one"})
    result = compare(a, b)
    assert result.outcome == "equal"
    assert "Rules[id=two].SourceSelectionCriteria.SseKmsEncryptedObjects.Status: absent on one side, Disabled on the other" in result.notes[0]


def test_rules_without_ids_are_matched_by_content_and_said_so():
    rule = {"Priority": 1, "Filter": {"Prefix": "a/"}, "Status": "Enabled", "Destination": DEST,
            "DeleteMarkerReplication": {"Status": "Disabled"}}
    result = compare(config(rule), config({**rule, "ID": "generated-by-s3"}))
    assert result.outcome == "equal" and result.notes == ["Rules[0] and Rules[id=generated-by-s3] matched by content, not by ID"]


def test_references_compare_by_what_they_resolve_to():
    literal = read(ROOT / "samples" / "tf-module" / "model.json")[0]
    tagged = literal.rules[1]
    assert tagged.filter.tag.value.display() == "var.tag_value"  # no default: undecided against a literal
    with_value = literal.model_copy(update={"rules": (literal.rules[0], tagged.model_copy(update={
        "filter": tagged.filter.model_copy(update={"tag": tagged.filter.tag.model_copy(update={"value": "blue"})})}))})
    result = compare(literal, with_value)
    assert [(c.kind, c.path) for c in result.changes] == [("undecided", "Rules[id=tagged-${var.prefix}].Filter.Tags")]
    assert compare(literal, with_value, {"var.tag_value": "blue"}).outcome == "equal"
    assert compare(literal, with_value, {"var.tag_value": "red"}).outcome == "different"


def test_several_configurations_pair_by_bucket(cli):
    three = ROOT / "samples" / "cfn-three-buckets"
    result = cli("diff", three / "template.yaml", three / "legacy.tf")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines() == ["acme-logs: equal", "acme-assets: equal"]
    one = cli("diff", three / "template.yaml", ROOT / "samples" / "two-destinations" / "main.tf")
    assert one.exit_code == 1
    assert "- acme-logs: only in A" in one.stdout and "+ two-destinations-source: only in B" in one.stdout


def test_show_is_a_table(cli, snapshot):
    result = cli("show", ROOT / "samples" / "two-destinations" / "main.tf")
    assert result.exit_code == 0
    assert result.stdout == snapshot


@pytest.mark.parametrize("sample", ["cfn-references", "cfn-conditions", "cfn-three-buckets", "tf-module", "tf-v3-bucket"])
def test_references_translated_between_languages_compare_equal(sample):
    """!GetAtt Replica.Arn and aws_s3_bucket.replica.arn, a Parameter and its variable, AWS::Region and
    data.aws_region.current.name: the same thing in two languages (grammars/references.json)."""
    folder = ROOT / "samples" / sample
    source = folder / ("input" if (folder / "input").is_dir() else next(p.name for p in folder.glob("template.*")))
    for written in ("main.tf", "main.tf.json", "cloudformation.yaml", "cloudformation.json"):
        report = diff(carried_by(FORMAT_OF[written], configs_of(source)), list(configs_of(folder / written)))
        assert report.outcome == "equal", (written, report.lines())
