"""Terraform: HashiCorp's own HCL parser reads what we write as we meant it; python-hcl2 and it agree on our samples."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES, as_read_by, expected, expressible
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import configs

from converter import loads, read, write
from converter.formats import hcl, terraform, terraform_legacy
from converter.sources import Source

ORACLE = ROOT / "tests" / "oracle"
TF_FILES = sorted(p for s in SAMPLES for p in [*s.glob("*.tf"), *s.glob("input/*.tf")])
quiet = {"warn": lambda d: None}


def hcl2json(paths: list[Path]) -> dict:
    """HashiCorp's HCL parser (npm @cdktf/hcl2json) on files: {path: the JSON it reads}. Missing Node fails, never skips."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the HCL oracle"
    assert (ORACLE / "node_modules" / "@cdktf" / "hcl2json").is_dir(), "run: npm ci --prefix tests/oracle"
    run = subprocess.run([node, str(ORACLE / "hcl2json.mjs"), *(str(p.resolve()) for p in paths)], capture_output=True, text=True,
                         check=True, cwd=ORACLE)
    by_name = json.loads(run.stdout)
    return {p: by_name[str(p.resolve())] for p in paths}


def blocks_as_lists(value, key=None):
    """Terraform JSON with every nested block as a list, as hcl2json prints it (tags stay a map)."""
    if isinstance(value, dict):
        if key in ("tags",):
            return value
        out = {k: blocks_as_lists(v, k) for k, v in value.items()}
        return out
    if isinstance(value, list):
        return [blocks_as_lists(v) for v in value]
    return value


def wrap_blocks(value, depth=0):
    """Our .tf.json with single blocks wrapped in lists and variable types as hcl2json shows them."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "tags" or depth < 3 and key in ("resource", "variable", "data", "locals") or depth == 1 or depth == 2:
                out[key] = wrap_blocks(item, depth + 1)
            elif isinstance(item, dict):
                out[key] = [wrap_blocks(item, depth + 1)]
            elif isinstance(item, list):
                out[key] = [wrap_blocks(i, depth + 1) for i in item]
            elif key == "type" and item == "string":
                out[key] = "${string}"
            else:
                out[key] = item
        return out
    return value


def sorted_tags(configs):
    """Configurations (and And tags) in name order: hcl2json prints objects sorted; a Terraform map has no order."""
    out = []
    for config in configs:
        rules = []
        for rule in config.rules:
            if rule.filter and rule.filter.and_ and rule.filter.and_.tags:
                tags = tuple(sorted(rule.filter.and_.tags, key=lambda t: str(t.key)))
                rule = rule.model_copy(update={"filter": rule.filter.model_copy(update={
                    "and_": rule.filter.and_.model_copy(update={"tags": tags})})})
            rules.append(rule)
        out.append(config.model_copy(update={"rules": tuple(rules)}))
    return sorted(out, key=lambda c: c.origin or "")  # hcl2json prints resources in name order


def test_the_official_parser_reads_every_tf_file_python_hcl2_reads_and_they_agree():
    parsed = hcl2json(TF_FILES)
    units = [[p] for p in TF_FILES if p.parent.name != "input"]
    units += [sorted(s.glob("input/*.tf*")) for s in SAMPLES if (s / "input").is_dir()]
    for unit in units:
        # What HashiCorp's parser read, given to our JSON-syntax reader, is what python-hcl2 gave our HCL reader.
        official = terraform.read_module([Source(f"{p}.json", json.dumps(parsed[p])) if p.suffix == ".tf" else
                                          Source(str(p), p.read_text(encoding="utf-8")) for p in unit])
        ours = terraform.read_module([Source(str(p), p.read_text(encoding="utf-8")) for p in unit])
        assert sorted_tags(official) == sorted_tags(ours), unit


def test_the_official_parser_reads_our_hcl_as_our_json_syntax(tmp_path):
    written = [p for p in TF_FILES if p.name == "main.tf" and p.parent.name != "input"]
    parsed = hcl2json(written)
    for path in written:
        ours = json.loads((path.parent / "main.tf.json").read_text(encoding="utf-8"))
        official = parsed[path]
        for name, spec in official.get("variable", {}).items():
            official["variable"][name] = spec[0]
        for kind, named in official.get("data", {}).items():
            official["data"][kind] = {label: body[0] for label, body in named.items()}
        if "locals" in official:
            official["locals"] = official["locals"][0]
        for kind, named in official["resource"].items():
            official["resource"][kind] = {label: _unlist(body[0]) for label, body in named.items()}
        if "variable" in ours:
            ours["variable"] = {k: {**v, "type": "${string}"} for k, v in ours["variable"].items()}
        assert official == ours, path


def _unlist(body: dict) -> dict:
    """hcl2json's blocks (always lists) as our JSON syntax writes them (rule a list, other blocks objects)."""
    out = {}
    for key, value in body.items():
        if key in ("rule", "rules"):
            out[key] = [_unlist(v) for v in value]
        elif key == "depends_on":  # addresses: plain strings in the JSON syntax Terraform documents
            out[key] = [v[2:-1] if v.startswith("${") else v for v in value]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out[key] = _unlist(value[0])
        else:
            out[key] = value
    return out


def test_v3_inline_block_migrates_to_the_v4_resource(cli):
    result = cli("convert", ROOT / "samples" / "tf-v3-bucket" / "input", "--from", "terraform", "--to", "terraform")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (ROOT / "samples" / "tf-v3-bucket" / "main.tf").read_text()
    assert 'resource "aws_s3_bucket_replication_configuration" "source" {\n  bucket = aws_s3_bucket.source.id' in result.stdout
    # The semantics stay exactly: the provider's v3 defaults are written out for v4.
    (v3,) = read(ROOT / "samples" / "tf-v3-bucket" / "input")
    (v4,) = loads(result.stdout, "terraform")
    assert as_read_by("terraform", [v3]) == as_read_by("terraform", [v4.model_copy(update={"bucket": v3.bucket})])
    rules = {r.id: r for r in v4.rules}
    assert rules["tagged-v2"].delete_marker_replication.status == "Disabled"  # v3 sends Disabled when absent
    assert rules["tagged-v2"].priority == 0
    assert rules["kms-v2"].destination.replication_time.time.minutes == 15


def test_escapes_survive_both_parsers(tmp_path):
    (config,) = read(ROOT / "samples" / "tf-tricky" / "input")
    assert config.rules[0].id == 'quote " backslash \\ dollar ${x} percent %{y} tab\tend'
    assert config.rules[0].priority == 7
    assert config.rules[0].filter.prefix == "odd/  spaces/café/"
    assert [(t.key, t.value) for t in config.rules[1].filter.and_.tags] == [("needs quotes", "v1"), ("plain", "日本語-ключ")]


@pytest.mark.parametrize("name,content,message", [
    ("syntax", 'resource "aws_s3_bucket_replication_configuration" "x" {\n  bucket = \n}\n', "main.tf:2:"),
    ("dynamic", 'resource "aws_s3_bucket_replication_configuration" "x" {\n  bucket = "b"\n  role = "r"\n'
     '  dynamic "rule" {\n    for_each = var.rules\n    content {}\n  }\n}\n',
     'main.tf:5:5: error: the dynamic "rule" block\'s for_each cannot be decided statically: var.rules depends on inputs '
     'not given. Pass --var var.rules=... (or a --var-file) (or let Terraform evaluate it: terraform plan'),
    ("for_each", 'resource "aws_s3_bucket_replication_configuration" "x" {\n  for_each = var.buckets\n  bucket = each.key\n}\n',
     "main.tf:2:3: error: the for_each of aws_s3_bucket_replication_configuration.x cannot be decided statically: "
     "var.buckets depends on inputs not given. Pass --var var.buckets=..."),
    ("enum-expression", 'resource "aws_s3_bucket_replication_configuration" "x" {\n  bucket = "b"\n  role = "r"\n'
     '  rule {\n    status = var.s\n    destination { bucket = "d" }\n  }\n}\n',
     "aws_s3_bucket_replication_configuration.x.rule[0].status: error: expected a string, got the reference var.s"),
    ("unknown-argument", 'resource "aws_s3_bucket_replication_configuration" "x" {\n  bucket = "b"\n  role = "r"\n'
     '  rule {\n    status = "Enabled"\n    destination { bucket = "d" }\n    delete_marker { status = "Enabled" }\n  }\n}\n',
     "unknown member 'delete_marker' (did you mean 'delete_marker_replication'?)"),
])
def test_bad_terraform_exits_2_naming_the_place(cli, tmp_path, name, content, message):
    path = tmp_path / "main.tf"
    path.write_text(content)
    result = cli("convert", path, "--to", "json")
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_a_directory_without_replication_exits_1(cli, tmp_path):
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    result = cli("convert", tmp_path, "--to", "json")
    assert result.exit_code == 1
    assert "no aws_s3_bucket_replication_configuration resource and no aws_s3_bucket with a replication_configuration block" in result.stderr


def test_duplicate_tag_keys_cannot_become_a_map(cli, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"Role": "arn:aws:iam::111122223333:role/r", "Rules": [{"Priority": 1, "Status": "Enabled",
        "Filter": {"And": {"Tags": [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]}},
        "Destination": {"Bucket": "arn:aws:s3:::dest-bucket"},
        "DeleteMarkerReplication": {"Status": "Disabled"}}]}))
    result = cli("convert", path, "--to", "tf", "--bucket", "src")
    assert result.exit_code == 1
    assert "Rules[0].Filter.And.Tags[1]: error: cannot be written: the tag key 'k' appears twice" in result.stderr


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(request=True))
def test_model_terraform_model(config):
    for fmt in ("terraform", "terraform-json"):
        ready = expressible(config, fmt)
        assert as_read_by(fmt, loads(write([ready], fmt, **quiet), fmt)) == as_read_by(fmt, [ready])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(request=True))
def test_model_terraform_legacy_model(config):
    ready = expressible(config, "terraform-legacy")
    back = loads(write([ready], "terraform-legacy", **quiet), "terraform-legacy")
    assert as_read_by("terraform-legacy", back) == as_read_by("terraform-legacy", [ready])


def test_the_official_parser_reads_random_configurations(tmp_path):
    """A batch of generated configurations, written as HCL, parsed by HashiCorp's parser into our JSON syntax."""
    from hypothesis import find

    samples = []
    find(configs(request=True), lambda c: samples.append(c) or len(samples) >= 40,
         settings=settings(max_examples=400, database=None, suppress_health_check=list(HealthCheck)))
    paths = []
    for index, config in enumerate(samples):
        ready = expressible(config, "terraform")
        path = tmp_path / f"c{index}.tf"
        path.write_text(write([ready], "terraform", **quiet))
        paths.append((path, ready))
    parsed = hcl2json([p for p, _ in paths])
    for path, ready in paths:
        official = terraform.read_module([Source(f"{path}.json", json.dumps(parsed[path]))])
        assert sorted_tags(as_read_by("terraform", official)) == sorted_tags(as_read_by("terraform", [ready])), path.read_text()


def test_legacy_view_matches_what_provider_v3_sends():
    (config,) = expected(ROOT / "samples" / "two-destinations")
    view = terraform_legacy.provider_view(config)
    assert view.rules[1].filter.and_.prefix == "" and view.rules[1].filter.and_.tags[0].key == "replicate"


PIECES = ["$", "{", "}", "%", "\\", '"', "${", "%{", "$$", "}}", "\n", "a", "${x}", "%{ if x }", "日本語", "\t"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join))
def test_any_literal_survives_escaping_and_our_reader(text):
    """Escaping is the riskiest part of writing HCL by hand: every literal reads back unchanged."""
    from converter.terraform import bridge, syntax

    body = syntax.parse(Source("x.tf", f'x = "{hcl.escape(text)}"\ny = "after"\n'))
    assert bridge.constant(body.attributes["x"]) == text and bridge.constant(body.attributes["y"]) == "after"


def test_map_keys_that_look_like_python_hcl2_metadata_are_kept():
    """Found by hypothesis: a tag key "__" was taken for python-hcl2's own __is_block__-style keys."""
    config = loads(json.dumps({"Role": "r", "Rules": [{"Priority": 1, "Status": "Enabled", "Filter": {"And": {"Tags": [
        {"Key": "__", "Value": "x"}, {"Key": "__is", "Value": "y"}]}}, "Destination": {"Bucket": "b"},
        "DeleteMarkerReplication": {"Status": "Disabled"}}]}), "cli-json")[0].model_copy(update={"bucket": "s"})
    for fmt in ("terraform", "terraform-json", "terraform-legacy"):
        (back,) = loads(write([config], fmt), fmt)
        assert [t.key for t in back.rules[0].filter.and_.tags] == ["__", "__is"], fmt


def test_our_hcl_parses_back_as_hcl2_dumps_of_the_same_data():
    """Writing HCL by hand (10x faster than hcl2.dumps, see bench/run.py) gives what hcl2.dumps would, once parsed."""
    import hcl2

    for sample in SAMPLES:
        text = (sample / "main.tf").read_text(encoding="utf-8")
        ours = hcl2.loads(text)
        assert hcl2.loads(hcl2.dumps(ours)) == ours, sample.name


def test_map_keys_with_a_final_newline_are_quoted():
    assert hcl.key_text("a\n") == '"a\\n"' and hcl.key_text("plain") == "plain"


HCL_EXTRAS = [  # what real files hold beyond our samples: comments, heredocs, expressions, CRLF
    '# comment\nresource "a" "b" { # inline\n  x = <<-EOT\n    text\n  EOT\n  y = [for s in var.l : upper(s) if s != ""]\n}\n',
    'locals {\r\n  a = var.x == null ? "d" : "${var.x}-%{if true}y%{endif}"\r\n  b = { "k" = 1, k2 = 2.5e3 }\r\n}\r\n',
    'module "m" {\n  source = "./m"\n  count  = length(var.z) > 0 ? 1 : 0\n  /* block comment */\n  n = -1\n}\n',
]


def _hcl2_view(body: dict, out=None, path=()) -> dict:
    """python-hcl2's dict as (path, value) pairs: labels unquoted, literal strings decoded, expressions as None."""
    out = {} if out is None else out
    for key, value in body.items():
        if key == "__is_block__":
            continue
        if all(_block_like(item) for item in (value if isinstance(value, list) and value else [value])):
            for item in (value if isinstance(value, list) else [value]):
                _labels(item, out, path + (f"block:{_unquote(key)}",))
        else:
            out[path + (_unquote(key),)] = _constant(value)
    return out


def _labels(item: dict, out: dict, path: tuple) -> None:
    if item.get("__is_block__"):
        _hcl2_view(item, out, path)
        return
    for label, inner in item.items():
        _labels(inner, out, path + (f"block:{_unquote(label)}",))


def _block_like(value) -> bool:
    return isinstance(value, dict) and bool(value) and (value.get("__is_block__") is True or all(
        _block_like(v) for v in value.values()))


def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _constant(value):
    if isinstance(value, str):
        if len(value) >= 2 and value[0] == value[-1] == '"' and "${" not in value and "%{" not in value:
            return hcl.parse_template(value[1:-1], True, lambda e: None)
        return None
    return value if isinstance(value, (bool, int, float)) or value is None else None


def _our_view(body, out=None, path=()):
    """Our syntax layer's body in the same pairs: attribute values evaluated when they refer to nothing."""
    from converter.errors import InputError
    from converter.terraform import bridge

    out = {} if out is None else out
    for name, attribute in body.attributes.items():
        try:
            value = bridge.constant(attribute)
        except InputError:
            value = None
        out[path + (name,)] = value if isinstance(value, (str, bool, int, float)) or value is None else None
    for block in body.blocks:
        where = path + (f"block:{block.type}",) + tuple(f"block:{label}" for label in block.labels)
        _our_view(block.body, out, where)
    return out


def assert_parse_is_hcl2_loads(text: str) -> None:
    """Our reader (Lark tree, no transformer) finds the blocks, labels, arguments and literal values hcl2.loads does.

    Deliberately better, so not compared: expressions (hcl2.loads gives their text, we evaluate them) and heredocs
    (HashiCorp's parser keeps the final newline, which hcl2.loads drops).
    """
    import hcl2
    from hcl2.utils import SerializationOptions

    from converter.terraform import syntax

    theirs = _hcl2_view(hcl2.loads(text, serialization_options=SerializationOptions(with_comments=False,
                                                                                     preserve_heredocs=False)))
    ours = _our_view(syntax.parse(Source("x.tf", text)))
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        if value is not None and ours[key] is not None and "<<" not in text:
            assert ours[key] == value, key


@pytest.mark.parametrize("text", [*(p.read_text(encoding="utf-8") for p in TF_FILES), *HCL_EXTRAS])
def test_our_hcl_parse_is_python_hcl2_loads(text):
    assert_parse_is_hcl2_loads(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(request=True))
def test_our_hcl_parse_is_python_hcl2_loads_on_random_configurations(config):
    assert_parse_is_hcl2_loads(write([expressible(config, "terraform")], "terraform", **quiet))
