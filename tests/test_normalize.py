"""V1/V2: detection, the faithful upgrade, the downgrade or its refusal with reasons, mixed configurations."""

from __future__ import annotations

import json

import pytest

from converter import loads, write
from converter.errors import Refusal
from converter.normalize import downgrade, rule_version, upgrade

ROLE = "arn:aws:iam::111122223333:role/r"


def config(*rules):
    return loads(json.dumps({"Role": ROLE, "Rules": list(rules)}), "cli-json")[0]


def v1(id_, prefix, bucket="arn:aws:s3:::dest-bucket", **extra):
    return {"ID": id_, "Prefix": prefix, "Status": "Enabled", "Destination": {"Bucket": bucket}, **extra}


def v2(id_, flt, priority=1, dmr="Enabled", bucket="arn:aws:s3:::dest-bucket", **extra):
    return {"ID": id_, "Priority": priority, "Filter": flt, "Status": "Enabled", "Destination": {"Bucket": bucket},
            "DeleteMarkerReplication": {"Status": dmr}, **extra}


@pytest.mark.parametrize("rule,version", [
    (v1("a", "logs/"), "v1"),
    (v2("a", {}), "v2"),
    (v2("a", {"Prefix": ""}), "v2"),
    ({"Status": "Enabled", "Destination": {"Bucket": "b"}}, "v1"),
])
def test_rule_version(rule, version):
    assert rule_version(config(rule).rules[0]) == version


def test_upgrade_is_faithful():
    upgraded = upgrade(config(v1("a", "logs/"), v1("b", "img/")))
    as_json = json.loads(write([upgraded], "cli-json"))
    assert as_json["Rules"] == [
        {"ID": "a", "Priority": 1, "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
         "Destination": {"Bucket": "arn:aws:s3:::dest-bucket"}, "DeleteMarkerReplication": {"Status": "Enabled"}},
        {"ID": "b", "Priority": 2, "Filter": {"Prefix": "img/"}, "Status": "Enabled",
         "Destination": {"Bucket": "arn:aws:s3:::dest-bucket"}, "DeleteMarkerReplication": {"Status": "Enabled"}},
    ]


def test_upgrade_keeps_v2_rules_and_avoids_their_priorities():
    upgraded = upgrade(config(v2("x", {"Prefix": "x/"}, priority=1), v1("a", "a/")))
    assert [r.priority for r in upgraded.rules] == [1, 2]
    assert upgraded.rules[0] == config(v2("x", {"Prefix": "x/"}, priority=1)).rules[0]


def test_downgrade_inverts_upgrade():
    original = config(v1("a", "logs/"), v1("b", "img/"))
    assert downgrade(upgrade(original)) == original


def test_downgrade_of_everything_filter():
    assert downgrade(config(v2("a", {}))).rules[0].prefix == ""


@pytest.mark.parametrize("rules,reasons", [
    ([v2("a", {"Tag": {"Key": "k", "Value": "v"}}, dmr="Disabled")],
     ["Rules[0]: error: cannot be V1: it filters by tags", "Rules[0]: error: cannot be V1: DeleteMarkerReplication is not Enabled"]),
    ([v2("a", {"Prefix": "p"}, dmr="Disabled")], ["Rules[0]: error: cannot be V1: DeleteMarkerReplication is not Enabled"]),
    ([v2("a", {"Prefix": "p"}, SourceSelectionCriteria={"ReplicaModifications": {"Status": "Enabled"}})],
     ["cannot be V1: ReplicaModifications is not allowed in V1"]),
    ([v2("a", {"Prefix": "p"}, Destination={"Bucket": "b", "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
                                            "Metrics": {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}})],
     ["cannot be V1: Replication Time Control and metrics need V2"]),
    ([v2("a", {"Prefix": "a/"}, bucket="arn:aws:s3:::one"), v2("b", {"Prefix": "b/"}, priority=2, bucket="arn:aws:s3:::two")],
     ["V1 allows one destination bucket; this has 2"]),
    ([v2("a", {"Prefix": "logs/"}), v2("b", {"Prefix": "logs/app/"}, priority=2)],
     ["Rules[0]: error: its prefix overlaps Rules[1]"]),
])
def test_downgrade_refuses_with_each_reason(rules, reasons):
    with pytest.raises(Refusal) as caught:
        downgrade(config(*rules))
    rendered = [d.render() for d in caught.value.diagnostics]
    assert len(rendered) == len(reasons)
    for reason in reasons:
        assert any(reason in line for line in rendered), rendered


def test_cli_schema_v1_refusal_exits_1(cli, tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"Role": ROLE, "Rules": [v2("a", {"Tag": {"Key": "k", "Value": "v"}}, dmr="Disabled")]}))
    result = cli("convert", path, "--to", "json", "--schema", "v1")
    assert result.exit_code == 1 and "cannot be V1: it filters by tags" in result.stderr and result.stdout == ""


def test_cli_schema_v2_upgrades(cli, tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"Role": ROLE, "Rules": [v1("a", "logs/")]}))
    result = cli("convert", path, "--to", "json", "--schema", "v2")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["Rules"][0]["DeleteMarkerReplication"] == {"Status": "Enabled"}


def test_mixed_versions_are_refused_with_the_upgrade_offered(cli, tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"Role": ROLE, "Rules": [v1("a", "a/"), v2("b", {"Prefix": "b/"})]}))
    result = cli("convert", path, "--to", "xml")
    assert result.exit_code == 1
    assert "E105 V1 rules (Rules[0]) are mixed with V2 rules; convert with --schema v2" in result.stderr
    upgraded = cli("convert", path, "--to", "xml", "--schema", "v2")
    assert upgraded.exit_code == 0 and upgraded.stderr == ""
