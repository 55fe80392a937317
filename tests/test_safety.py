"""Hostile input and output: generated code quotes every value, crashes become one-line errors, outputs are safe."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT

from converter import loads, write
from converter.formats import writable

# A value that would run a command, or open an interpolation, if a writer pasted it into code unquoted.
HOSTILE = ["src\ntouch CANARY #", "$(touch CANARY)", "`touch CANARY`", "a'b\"c;touch CANARY", "${var.x}",
           "%{ if true }x%{ endif }", 'a"}${x}\\n', "x: y #z", "- [a]", "017", "*alias", "!Ref x", "\\\"; $$"]


def _document(name: str, canary: str = "CANARY") -> dict:
    name = name.replace("CANARY", canary)
    return {"Bucket": name, "ReplicationConfiguration": {
        "Role": "arn:aws:iam::111122223333:role/replication-role",
        "Rules": [{"ID": name, "Priority": 1, "Status": "Enabled",
                   "Filter": {"And": {"Prefix": name, "Tags": [{"Key": name, "Value": name}]}},
                   "Destination": {"Bucket": "arn:aws:s3:::" + name, "Account": "444455556666"},
                   "DeleteMarkerReplication": {"Status": "Disabled"}}]}}


def _plain_bucket(config):
    """The source bucket as a string: terraform-legacy reads it as its resource, whose name is the literal."""
    bucket = config.bucket
    return config.model_copy(update={"bucket": getattr(bucket, "default", bucket)})


@pytest.mark.parametrize("fmt", writable())
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_values_are_data_in_every_written_format(fmt, name):
    """Written, then read back: the same values, so none of them became code (a reference, a tag, a new line)."""
    (config,) = loads(json.dumps(_document(name)), "cli-json")
    text = write([config], fmt, shape="cli-input", allow_lossy=True, warn=lambda diag: None)
    (back,) = loads(text, fmt)
    if fmt == "s3-xml":
        back = back.model_copy(update={"bucket": config.bucket})  # XML does not hold the source bucket
    assert _plain_bucket(back).bucket == config.bucket
    assert back.rules == config.rules


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_values_in_external_parsers(name):
    """The oracles read the same strings: PyYAML (CloudFormation), json, python-hcl2 (Terraform, `$${` kept escaped)."""
    import hcl2
    import yaml
    from cfn_tools import load_yaml

    (config,) = loads(json.dumps(_document(name)), "cli-json")
    template = load_yaml(write([config], "cloudformation", allow_lossy=True, warn=lambda diag: None))
    properties = next(iter(template["Resources"].values()))["Properties"]
    assert properties["BucketName"] == name
    assert yaml.safe_load(json.dumps(name)) == name
    assert json.loads(write([config], "cli-json"))["Rules"][0]["ID"] == name
    parsed = hcl2.loads(write([config], "terraform", allow_lossy=True, warn=lambda diag: None))
    resource = next(iter(parsed["resource"][0]['"aws_s3_bucket_replication_configuration"'].values()))
    literal = resource["rule"][0]["id"]  # the HCL literal as written: its escapes are a subset of JSON's
    assert json.loads(literal.replace("$${", "${").replace("%%{", "%{")) == name


def _s3repl(*args, cwd, env=None, stdin=None, timeout=60):
    command = [sys.executable, "-m", "converter", *map(str, args)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout,
                          input=stdin)


STUB_AWS = "#!{python}\nimport json, os, sys\nwith open(os.environ['AWS_LOG'], 'a') as log:\n" \
           "    log.write(json.dumps(sys.argv[1:]) + '\\n')\n"


@pytest.mark.parametrize("name", HOSTILE)
def test_cli_script_runs_only_aws_with_exactly_the_values(tmp_path, name):
    """bash -n accepts the script; run with a stub aws, nothing else executes and every argv is the value itself."""
    canary = tmp_path / "canary"
    document = _document(name, str(canary))
    (tmp_path / "in.json").write_text(json.dumps(document))
    done = _s3repl("iam", "in.json", "--to", "cli-script", "-o", "out/", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (script,) = (tmp_path / "out").glob("*.sh")
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "aws").write_text(STUB_AWS.format(python=sys.executable))
    (stubs / "aws").chmod(0o755)
    log = tmp_path / "aws.log"
    env = {**os.environ, "PATH": f"{stubs}:{os.environ['PATH']}", "AWS_LOG": str(log)}
    run = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert not canary.exists()
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    bucket = document["Bucket"]
    assert [c[:2] for c in calls][-1] == ["s3api", "put-bucket-replication"]
    for call in calls:
        if "--bucket" in call:
            assert call[call.index("--bucket") + 1] == bucket
        assert all(arg.startswith("file://") for arg, flag in zip(call[1:], call) if flag in (
            "--assume-role-policy-document", "--policy-document", "--policy", "--replication-configuration"))
    assert sum(c[:2] == ["s3api", "put-bucket-versioning"] for c in calls) == 2


# --- crashes become one clear line, in bounded time and memory --------------------------------------------------------
# The child runs s3repl and reports its exit code, output, seconds and peak memory (MB): a crash, a hang or a blow-up
# shows in the numbers, not only in the message.
WRAPPER = ("import json, resource, subprocess, sys, time\nstart = time.monotonic()\n"
           "done = subprocess.run(sys.argv[1:], capture_output=True, text=True, errors='replace', timeout=120)\n"
           "print(json.dumps([done.returncode, done.stdout[-200000:], done.stderr[-200000:], time.monotonic() - start,"
           " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))")
SECONDS, MEGABYTES = 10, 500  # README "Safety"


def measured(tmp_path, *args):
    """(exit code, stdout, stderr, seconds, peak MB) of s3repl ARGS run in tmp_path."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", WRAPPER, sys.executable, "-m", "converter", *map(str, args)],
                          cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=180)
    return tuple(json.loads(done.stdout))


def refused(tmp_path, *args, message: str, code: int = 2):
    """s3repl ARGS exits with code and one line holding message, within the Safety bounds; the line is returned."""
    rc, _, err, seconds, peak = measured(tmp_path, *args)
    # validate closes with a summary line of its own (s3repl validate: 1 unreadable)
    lines = [line for line in err.strip().splitlines() if not line.startswith("s3repl validate: ")]
    assert rc == code, err
    assert len(lines) == 1 and message in lines[0], err
    assert "Error" not in lines[0] and "Traceback" not in err  # no Python exception names
    assert seconds < SECONDS and peak < MEGABYTES, (seconds, peak)
    return lines[0]


MINIMAL = ROOT / "samples" / "minimal-same-account"
DEEP = {
    "flow-lists.yaml": "Rules: " + "[" * 50_000 + "]" * 50_000,
    "flow-maps.yaml": "Role: " + "{a: " * 50_000 + "1" + "}" * 50_000,
    "anchor-then-deep.yaml": "a: &x 1\nRules: " + "[" * 50_000 + "]" * 50_000,
    "compact-block.yaml": "Role:\n" + "- " * 50_000 + "x",
    "block-1000.yaml": "Role:" + "".join("\n" + "  " * i + "-" for i in range(1000)) + " x\nRules: []",
    "json-900.json": '{"Role": ' + "[" * 900 + "]" * 900 + "}",
    "template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources: " + "[" * 50_000 + "]" * 50_000,
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_is_refused_before_the_parser_recurses(tmp_path, name):
    (tmp_path / name).write_text(DEEP[name])
    line = refused(tmp_path, "show", name, message="nesting deeper than 100 levels")
    assert line.startswith(name)


@pytest.mark.parametrize("value", ['["a", "b"]', "12", "{ a = 1 }"])
@pytest.mark.parametrize("command", [["show"], ["diff", MINIMAL / "cli-json.json"], ["convert", "--to", "tf"],
                                     ["convert", "--to", "cfn"]])
def test_a_terraform_bucket_that_is_not_a_string_is_refused(tmp_path, command, value):
    text = (MINIMAL / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(text.replace('bucket = "minimal-same-account-source"', f"bucket = {value}", 1))
    args = [command[0], "main.tf", *command[1:]]
    refused(tmp_path, *args, message=".bucket: error: expected a string")


@pytest.mark.parametrize("fmt,text", [
    ("cli-json", '{"Role": "r", "Rules": [{"Status": "Enabled", "Filter": {"Prefix": "p\\udc80"}, '
                 '"Destination": {"Bucket": "arn:aws:s3:::b"}}]}'),
    ("terraform", 'resource "aws_s3_bucket_replication_configuration" "x" {\n  bucket = "a\\udc80"\n  role = "r"\n'
                  '  rule {\n    status = "Enabled"\n    destination {\n      bucket = "arn:aws:s3:::b"\n    }\n  }\n}\n'),
])
@pytest.mark.parametrize("command", [["show"], ["convert", "--to", "json", "--no-validate"],
                                     ["convert", "--to", "model", "--no-validate"], ["validate"],
                                     ["validate", "--format", "json"]])
def test_a_lone_surrogate_is_refused_with_its_path(tmp_path, fmt, text, command):
    name = "in.json" if fmt == "cli-json" else "main.tf"
    (tmp_path / name).write_text(text)
    rc, out, err, _, _ = measured(tmp_path, command[0], name, *command[1:])
    if "--format" in command:  # read errors are findings (E000) of the one JSON document on stdout
        err, out = json.dumps(json.loads(out)), ""
    assert rc == 2 and "lone surrogate U+" in err and ("Prefix" in err or "Bucket" in err), err
    assert out == "" and "Error" not in err


def _merge_bomb(levels: int = 40) -> str:
    """Each mapping merges the one before twice: 1 KB of text, 2**levels pairs once merge keys are flattened."""
    lines = ["a0: &a0 {x: 1}"] + [f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}" for i in range(1, levels)]
    return "\n".join(lines) + "\nRole: r\nRules: []\n"


def _bad_rules(count: int) -> dict:
    return {"Role": "arn:aws:iam::111122223333:role/r", "Rules": [
        {"ID": f"r{i}", "Priority": i, "Status": "Enabled", "Filter": {"Prefix": "p"},
         "Destination": {"Bucket": "arn:aws:s3:::b"}, "DeleteMarkerReplication": {"Status": "Bogus"}}
        for i in range(count)]}


BIG = {  # name -> (text, the message, the exit code)
    "merge-bomb.yaml": (_merge_bomb(), "YAML merge keys copy the mappings they merge", 2),
    "scalar-rules.json": (json.dumps({"Role": "r", "Rules": [1] * 20_000}), "holds 20,000 items; at most 1,000", 2),
    "many-rules.json": (json.dumps(_bad_rules(1001)), "holds 1,001 items; at most 1,000", 2),
    "unknown-elements.xml": ("<ReplicationConfiguration><Role>r</Role>" + "<Foo>x</Foo>" * 1_400_000
                             + "</ReplicationConfiguration>", "more than 100,000 elements", 2),
    "long-number.json": ('{"Role": "r", "Rules": [{"Priority": ' + "9" * 5000 + "}]}",
                         "1:38: error: JSON: a number of more than 4,300 digits", 2),
    "long-number.yaml": ("Role: r\nRules:\n- Priority: " + "9" * 5000 + "\n",
                         "3:13: error: YAML: a number of more than 4,300 digits", 2),
}


@pytest.mark.parametrize("name", sorted(BIG))
def test_expensive_inputs_are_refused_within_the_bounds(tmp_path, name):
    text, message, code = BIG[name]
    (tmp_path / name).write_text(text)
    refused(tmp_path, "validate", name, message=message, code=code)


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_a_thousand_findings_share_one_source_map(tmp_path, suffix):
    """1,000 rules with one bad value each: every finding located, quickly (each once re-parsed the file)."""
    import yaml

    data = _bad_rules(1000)
    (tmp_path / f"in.{suffix}").write_text(json.dumps(data, indent=1) if suffix == "json" else yaml.safe_dump(data))
    rc, _, err, seconds, peak = measured(tmp_path, "validate", f"in.{suffix}")
    lines = [line for line in err.strip().splitlines() if not line.startswith("s3repl validate: ")]
    assert rc == 2 and len(lines) == 1000, err[-500:]
    assert all(re.match(rf"in\.{suffix}:\d+:\d+: Rules\[\d+\]\.DeleteMarkerReplication\.Status: error", line) for line in lines)
    assert seconds < 5 and peak < MEGABYTES, (seconds, peak)


def test_text_between_xml_elements_is_refused_with_line_and_column(tmp_path):
    (tmp_path / "in.xml").write_text(
        "<ReplicationConfiguration>\n  <Role>arn:aws:iam::111122223333:role/r</Role> junk\n  <Rule><Status>Enabled"
        "</Status>x<Destination><Bucket>arn:aws:s3:::b</Bucket></Destination></Rule>\n</ReplicationConfiguration>\n")
    rc, _, err, _, _ = measured(tmp_path, "validate", "in.xml")
    assert rc == 2
    assert err.splitlines() == [
        "in.xml:2:49: error: unexpected text 'junk' after <Role> (remove it; text belongs inside an element that "
        "holds no elements)",
        "in.xml:3:33: Rules[0]: error: unexpected text 'x' after <Status> (remove it; text belongs inside an element "
        "that holds no elements)",
        "s3repl validate: 1 unreadable"]


def test_a_fifo_without_a_writer_is_refused_not_waited_on(tmp_path):
    os.mkfifo(tmp_path / "pipe.json")
    refused(tmp_path, "validate", "pipe.json", message="pipe.json: error: not a regular file")


def test_max_bytes_is_capped_and_a_directory_has_one_total(tmp_path):
    refused(tmp_path, "validate", MINIMAL / "cli-json.json", "--max-bytes", 10**15,
            message="--max-bytes 1,000,000,000,000,000 is above the limit of 67,108,864")
    for i in range(3):
        (tmp_path / f"c{i}.json").write_bytes((MINIMAL / "cli-json.json").read_bytes())
    size = (MINIMAL / "cli-json.json").stat().st_size
    refused(tmp_path, "validate", ".", "--max-bytes", size * 2,
            message=f"the directory's files together are larger than {size * 2:,} bytes")
    rc, *_ = measured(tmp_path, "validate", ".", "--max-bytes", size * 3)
    assert rc == 0


# --- output safety ----------------------------------------------------------------------------------------------------
def _template(names: list[str]) -> str:
    rules = json.loads((MINIMAL / "cloudformation.json").read_text())
    bucket = next(r for r in rules["Resources"].values() if r["Type"] == "AWS::S3::Bucket")
    resources = {}
    for i, name in enumerate(names):
        copy = json.loads(json.dumps(bucket))
        copy["Properties"]["BucketName"] = name
        resources[f"Bucket{i}"] = copy
    return json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})


def test_file_names_that_collide_or_are_reserved_are_disambiguated_and_reported(tmp_path):
    names = ["team a", "team_a", "Team_A", "team a", "con", "NUL.x"]
    (tmp_path / "t.json").write_text(_template(names))
    rc, _, err, _, _ = measured(tmp_path, "convert", "t.json", "--to", "json", "-o", "out", "--no-validate",
                                "--shape", "cli-input")
    assert rc == 0, err
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(["team_a.json", "team_a-2.json", "Team_A-3.json", "team_a-4.json", "_con.json",
                              "_NUL.x.json"])
    assert len({n.lower() for n in written}) == len(names)  # distinct on case-insensitive file systems too
    buckets = sorted(json.loads((tmp_path / "out" / n).read_text())["Bucket"] for n in written)
    assert buckets == sorted(names)  # nothing lost: every configuration has its own file
    assert "'team_a' and 'team a' both make the file name team_a.json: wrote 'team_a' to team_a-2.json" in err


def test_a_trailing_slash_makes_a_directory_for_one_configuration(tmp_path):
    rc, _, err, _, _ = measured(tmp_path, "convert", MINIMAL / "cli-json.json", "--to", "xml", "--bucket", "src",
                                "-o", "newdir/")
    assert rc == 0, err
    assert [p.name for p in (tmp_path / "newdir").iterdir()] == ["src.xml"]
    rc, _, err, _, _ = measured(tmp_path, "convert", MINIMAL / "cli-json.json", "--to", "xml", "--bucket", "other",
                                "-o", "newdir", "--force")  # an existing directory, without the slash: the same
    assert rc == 0 and "wrote newdir/other.xml" in err


@pytest.mark.parametrize("setup,target,message", [
    (lambda d: (d / "afile").write_text("x"), "afile/x.xml", "afile/x.xml: error: cannot make the directory afile"),
    (lambda d: (d / "dangling.xml").symlink_to(d / "nowhere"), "dangling.xml",
     "dangling.xml: error: the output file exists (pass --force to replace it)"),
])
def test_unwritable_outputs_are_refused_in_one_line(tmp_path, setup, target, message):
    setup(tmp_path)
    line = refused(tmp_path, "convert", MINIMAL / "cli-json.json", "--to", "xml", "-o", target, message=message)
    assert line.startswith(message)
    assert not (tmp_path / "nowhere").exists()


def test_a_long_output_name_is_written(tmp_path):
    """The temporary name is short: a final name near the 255-byte limit still works."""
    name = "a" * 250 + ".xml"
    rc, _, err, _, _ = measured(tmp_path, "convert", MINIMAL / "cli-json.json", "--to", "xml", "-o", name)
    assert rc == 0 and (tmp_path / name).exists(), err


def test_files_follow_the_umask_and_force_keeps_the_mode(tmp_path):
    old = os.umask(0o027)
    try:
        rc, *_ = measured(tmp_path, "convert", MINIMAL / "cli-json.json", "--to", "xml", "-o", "a.xml")
        assert rc == 0 and (tmp_path / "a.xml").stat().st_mode & 0o777 == 0o640
        (tmp_path / "b.xml").write_text("old")
        (tmp_path / "b.xml").chmod(0o644)
        rc, *_ = measured(tmp_path, "convert", MINIMAL / "cli-json.json", "--to", "xml", "-o", "b.xml", "--force")
        assert rc == 0 and (tmp_path / "b.xml").stat().st_mode & 0o777 == 0o644
        assert (tmp_path / "b.xml").read_text().startswith("<?xml")
        rc, *_ = measured(tmp_path, "iam", MINIMAL / "cli-json.json", "--to", "cli-script", "-o", "script/",
                          "--bucket", "src")
        assert rc == 0 and (tmp_path / "script" / "src.replicate.sh").stat().st_mode & 0o777 == 0o750
    finally:
        os.umask(old)


def test_two_concurrent_converts_without_force_cannot_both_write(tmp_path):
    """An exclusive link, not check-then-rename: of 8 runs started together, exactly one writes."""
    command = [sys.executable, "-m", "converter", "convert", str(MINIMAL / "cli-json.json"), "--to", "xml",
               "-o", "same.xml"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen(command, cwd=tmp_path, env=environment, stderr=subprocess.PIPE, text=True)
            for _ in range(8)]
    codes = [run.wait(timeout=120) for run in runs]
    for run in runs:
        run.stderr.close()
    assert sorted(codes) == [0] + [2] * 7
    assert [p.name for p in tmp_path.iterdir()] == ["same.xml"]  # and no temporary file left


def test_temporary_files_are_removed_on_sigterm_and_by_a_later_run(tmp_path, monkeypatch):
    import signal

    from converter import cli

    real_fdopen = os.fdopen

    class Killed:
        def __init__(self, handle):
            self.file = real_fdopen(handle, "w")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, text):
            self.file.write(text[:10])
            os.kill(os.getpid(), signal.SIGTERM)  # a kill in the middle of the write

    monkeypatch.setattr(cli.os, "fdopen", lambda handle, *a, **k: Killed(handle))
    with pytest.raises(SystemExit) as stopped:
        cli._write_file(tmp_path / "out.xml", "x" * 100, force=False)
    assert stopped.value.code == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".s3repl-tmp-{dead.stdout.strip()}-deadbeef"  # left by a run killed with SIGKILL
    stale.write_text("partial")
    cli._write_file(tmp_path / "out.xml", "<x/>", force=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xml"]


# --- silent wrong values ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,text,where,first", [
    ("dup.json", '{"Role": "a",\n "Rules": [], "Role": "b"}', "2:15", "line 1, column 2"),
    ("rule.json", '{"Role": "a", "Rules": [\n  {"ID": "x", "ID": "y"}]}', "2:15", "line 2, column 4"),
    ("dup.yaml", "Role: a\nRules: []\nRole: b\n", "3:1", "line 1, column 1"),
    ("anchored.yaml", "x: &a {k: 1}\nRole: a\nRules: []\nRole: b\n", "4:1", "line 2, column 1"),  # PyYAML's path
    ("template.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
                      "  B:\n    Type: AWS::S3::Bucket\n", "5:3", "line 3, column 3"),
])
def test_duplicate_keys_are_refused_with_both_places(tmp_path, name, text, where, first):
    (tmp_path / name).write_text(text)
    line = refused(tmp_path, "validate", name, message="appears again")
    assert line.startswith(f"{name}:{where}: error: the key ") and f"(first at {first})" in line


def test_a_merge_key_may_be_overridden(tmp_path):
    """Overriding a merged key is what merge keys are for: not a duplicate."""
    (tmp_path / "m.yaml").write_text("base: &b {Prefix: a}\nRole: r\nRules:\n- Status: Enabled\n"
                                     "  Filter: {<<: *b, Prefix: c}\n  Destination: {Bucket: 'arn:aws:s3:::b'}\n")
    rc, _, err, _, _ = measured(tmp_path, "validate", "m.yaml")
    assert "appears again" not in err


TAG_REF = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  TagVal: {Type: String}
Resources:
  Src:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: src
      VersioningConfiguration: {Status: Enabled}
      ReplicationConfiguration:
        Role: arn:aws:iam::111122223333:role/r
        Rules:
          - Id: r
            Status: Enabled
            Priority: 1
            Filter:
              And:
                Prefix: p
                TagFilters: [{Key: !Ref TagVal, Value: data}]
            DeleteMarkerReplication: {Status: Disabled}
            Destination: {Bucket: "arn:aws:s3:::dst"}
"""


def test_a_tag_key_reference_is_written_as_an_hcl_expression():
    """`Key: !Ref TagVal` became the quoted literal "(var.tag_val)": the writer quoted the expression key."""
    import hcl2

    text = write(loads(TAG_REF, "cloudformation"), "terraform")
    assert '(var.tag_val) = "data"' in text
    resource = hcl2.loads(text)["resource"][0]['"aws_s3_bucket_replication_configuration"']['"src"']
    tags = resource["rule"][0]["filter"][0]["and"][0]["tags"]
    assert list(tags) == ["${(var.tag_val)}"]  # python-hcl2's form of an expression key, not the string '"(...)"'


def test_a_tag_key_reference_survives_cloudformation_to_terraform_and_back():
    from converter.values import Ref

    (config,) = loads(write(loads(TAG_REF, "cloudformation"), "terraform"), "terraform")
    key = config.rules[0].filter.and_.tags[0].key
    assert isinstance(key, Ref) and "tag_val" in key.display()


def test_the_readme_states_every_bound():
    from converter import sources
    from converter.formats import s3_xml

    section = (ROOT / "README.md").read_text().split("## Safety", 1)[1].split("\n## ", 1)[0]
    for number in [f"**{SECONDS} s**", f"**{MEGABYTES} MB**", f"**{sources.MAX_DEPTH}**",
                   f"**{sources.MAX_NODES:,}**", f"**{s3_xml.MAX_ELEMENTS:,}**",
                   f"{sources.MAX_INPUT_BYTES // 2**20} MiB", f"{sources.HARD_MAX_BYTES // 2**20} MiB"]:
        assert number in section, number


@pytest.mark.parametrize("written,yaml_11,yaml_12", [
    ("017", "15", "17"), ("0x10", None, None), ("1.50", None, None), ("190:20:30", "685230", "'190:20:30'"),
    ("1_000", "1000", "'1_000'"), ("yes", "True", "'yes'"), ("on", "True", "'on'"), ("12", None, None),
    (".inf", None, None),
])
def test_unquoted_scalars_in_string_fields_keep_their_text(tmp_path, written, yaml_11, yaml_12):
    """CloudFormation keeps the text for a string property: 017 stays '017' (PyYAML's YAML 1.1 made it 15); a
    warning where YAML 1.1 and 1.2 read it differently."""
    template = TAG_REF.replace("Prefix: p", f"Prefix: {written}").replace("!Ref TagVal", "k")
    (tmp_path / "t.yaml").write_text(template)
    rc, out, err, _, _ = measured(tmp_path, "convert", "t.yaml", "--to", "json")
    assert rc == 0, err
    assert json.loads(out)["Rules"][0]["Filter"]["And"]["Prefix"] == written
    warnings = [line for line in err.splitlines() if "warning" in line]
    if yaml_11 is None:
        assert warnings == []
    else:
        assert warnings == [f"t.yaml:18:17: Resources.Src.Properties.ReplicationConfiguration.Rules[0].Filter.And."
                            f"Prefix: warning: the unquoted {written} is read as the string {written!r}, as "
                            f"CloudFormation reads a string property; YAML 1.1 reads {yaml_11} and YAML 1.2 {yaml_12} "
                            f"(quote it: '{written}')"]
