"""Bad input gives exit 2 and one clear line per problem: file, line and column or field path, and what to do."""

from __future__ import annotations

import json

import pytest
from conftest import yaml_bomb

RULE = {"ID": "a", "Status": "Enabled", "Prefix": "", "Destination": {"Bucket": "arn:aws:s3:::d"}}


def _config(rules):
    return json.dumps({"Role": "arn:aws:iam::1:role/r", "Rules": rules})


# (name, file name, content, text the one message must hold)
CASES = [
    ("malformed-json", "x.json", '{"Role": "r",\n  "Rules": [ }', "x.json:2:14: error: JSON: Expecting value"),
    ("malformed-xml", "x.xml", "<ReplicationConfiguration><Role>r</Role>\n<Rule>", "x.xml:2:7: error: XML: no element found"),
    ("doctype", "x.xml", '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "b">]>\n<ReplicationConfiguration/>',
     "refused: the document holds a DOCTYPE declaration"),
    ("billion-laughs", "x.xml", '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
     + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
     + ']>\n<ReplicationConfiguration><Role>&lol9;</Role></ReplicationConfiguration>', "refused"),
    ("external-entity", "x.xml", '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
     "<ReplicationConfiguration><Role>&x;</Role></ReplicationConfiguration>", "refused"),
    ("unknown-member", "x.json", _config([{**RULE, "Priorty": 1}]),
     "x.json:1:137: Rules[0].Priorty: error: unknown member 'Priorty' (did you mean 'Priority'?)"),
    ("unknown-element", "x.xml", "<ReplicationConfiguration><Role>r</Role><Rule><Status>Enabled</Status>\n"
     "<Destinaton><Bucket>b</Bucket></Destinaton></Rule></ReplicationConfiguration>",
     "x.xml:2:1: Rules[0].Destinaton: error: unknown member 'Destinaton' (did you mean 'Destination'?)"),
    ("wrong-type", "x.json", _config([{**RULE, "Priority": "1"}]), "Rules[0].Priority: error: expected a whole number"),
    ("account-as-number", "x.json", _config([{**RULE, "Destination": {"Bucket": "b", "Account": 444455556666}}]),
     'Rules[0].Destination.Account: error: expected a string, got a number 444455556666 (write it as a string: "444455556666")'),
    ("bad-enum", "x.json", _config([{**RULE, "Status": "enabled"}]),
     "Rules[0].Status: error: 'enabled' is not allowed; allowed values: 'Enabled', 'Disabled' (did you mean 'Enabled'?)"),
    ("bad-storage-owner", "x.json", _config([{**RULE, "Destination": {"Bucket": "b", "AccessControlTranslation": {"Owner": "Source"}}}]),
     "Rules[0].Destination.AccessControlTranslation.Owner: error: 'Source' is not allowed; allowed values: 'Destination'"),
    ("missing-member", "x.json", _config([{"Status": "Enabled", "Prefix": ""}]), "Rules[0]: error: missing required member 'Destination'"),
    ("xml-priority-text", "x.xml", "<ReplicationConfiguration><Role>r</Role><Rule><Priority>high</Priority>"
     "<Status>Enabled</Status><Destination><Bucket>b</Bucket></Destination></Rule></ReplicationConfiguration>",
     "x.xml:1:47: Rules[0].Priority: error: expected a whole number, got a string 'high'"),
    ("xml-wrapper-list", "x.xml", "<ReplicationConfiguration><Role>r</Role><Rules><Rule/></Rules></ReplicationConfiguration>",
     "Rules: error: <Rules> is not a wrapper in S3 XML: put each <Rule> directly under <ReplicationConfiguration>"),
    ("xml-wrong-root", "x.xml", "<LifecycleConfiguration/>", "the root element is <LifecycleConfiguration>"),
    ("empty-file", "x.json", "", "x.json: error: the input is empty"),
    ("whitespace-file", "x.json", " \n\t\n", "x.json: error: the input is empty"),
    ("zero-rules", "x.json", _config([]), "Rules: error: holds 0 items; at least 1 allowed"),
    ("1001-rules", "x.json", _config([RULE] * 1001), "Rules: error: holds 1,001 items; at most 1,000 allowed"),
    ("not-an-object", "x.json", "[1, 2]", "expected a JSON object with Role and Rules"),
    ("unknown-request-member", "x.json", json.dumps({"Bucket": "s", "ReplicationConfiguration": json.loads(_config([RULE])),
                                                      "bucket-owner": "1"}), "unknown member 'bucket-owner'"),
    ("yaml-syntax", "x.yaml", "Role: r\nRules:\n  - ID: [a\n", "x.yaml:4:1: error: YAML:"),
    ("yaml-alias-bomb", "x.yaml", yaml_bomb(9), "the document expands to more than 2,000,000 values"),
    ("invalid-utf8", "x.json", b'{"Role": "\xff"}', "x.json:1:11: error: invalid UTF-8 (byte 0xff)"),
    ("utf16", "x.json", "\ufeff{}".encode("utf-16"), "the file is UTF-16; s3repl reads UTF-8"),
    ("unknown-format-content", "x.txt", "hello", "cannot tell which format this is (pass --from"),
]


@pytest.mark.parametrize("name,filename,content,message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_a_clear_message(cli, tmp_path, name, filename, content, message):
    path = tmp_path / filename
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = cli("convert", path, "--to", "s3-xml" if filename.endswith(".json") else "cli-json")
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_every_problem_is_reported_once_in_file_order(cli, tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"Role": "r", "Rules": [{"ID": "a", "Status": "on", "Priorty": 1,\n'
                    ' "Destination": {"Bucket": 5}}]}')
    lines = cli("convert", path, "--to", "xml").stderr.splitlines()
    assert [line.split(" error")[0] for line in lines] == [
        f"{path}:1:37: Rules[0].Status:", f"{path}:1:53: Rules[0].Priorty:", f"{path}:2:18: Rules[0].Destination.Bucket:"]


def test_input_over_the_size_cap_is_refused(cli, tmp_path):
    path = tmp_path / "big.json"
    path.write_text(_config([RULE] * 10))
    result = cli("convert", path, "--to", "xml", "--max-bytes", "100")
    assert result.exit_code == 2 and "input is larger than 100 bytes" in result.stderr


@pytest.mark.parametrize("args,message", [
    (["--to", "nope"], "'nope' is not one of cli-json, s3-xml, cloudformation, cloudformation-json, terraform, "
                       "terraform-legacy, terraform-json, model\n"),
    (["--to", "terrafrom"], "'terrafrom' is not one of cli-json, s3-xml, cloudformation, cloudformation-json, terraform, "
                            "terraform-legacy, terraform-json, model (did you mean 'terraform'?)"),
    (["--to", "xml", "--from", "yaml"], "Invalid value for '--from' / '-f': 'yaml' is not one of"),
    (["--to", "xml", "--schema", "v3"], "Invalid value for '--schema': 'v3' is not one of auto, v1, v2 (did you mean 'v2'?)"),
    (["--to", "xml", "--shape", "wraped"], "(did you mean 'wrapped'?)"),
    (["--to", "xml", "--format", "jsno"], "(did you mean 'json'?)"),
    (["--to", "xml", "--var", "novalue"], "--var 'novalue' is not NAME=VALUE"),
    (["--to", "xml", "-o", "json"], "use --format json for a json report, or -o ./json for a file of that name"),
])
def test_a_wrong_command_line_exits_2(cli, tmp_path, args, message):
    path = tmp_path / "x.json"
    path.write_text(_config([RULE]))
    result = cli("convert", path, *args)
    assert result.exit_code == 2 and message in result.stderr


def test_a_missing_file_exits_2(cli, tmp_path):
    result = cli("convert", tmp_path / "nope.json", "--to", "xml")
    assert result.exit_code == 2 and "nope.json: error: No such file or directory" in result.stderr
