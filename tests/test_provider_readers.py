"""The AWS provider judges the Terraform reader: for .tf text people write, s3repl's reading is what the provider PUTs.

Each fixture is a rule (v4 `rule` block or inline `rules` block) for its own bucket; all go into ONE apply.
"""

from __future__ import annotations

import difflib
import json

import pytest
from terraform_harness import VERSIONED, in_order

from converter import read, write

DEST = 'destination {\n      bucket = "arn:aws:s3:::reader-replica"\n    }'
V4_STORAGE_CLASSES = ["STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
                      "DEEP_ARCHIVE", "GLACIER_IR"]
# v4 resource: the rule blocks of an aws_s3_bucket_replication_configuration.
V4 = {
    "empty-filter": f'rule {{\n    status = "Enabled"\n    filter {{}}\n    {DEST}\n  }}',
    "filter-empty-prefix": f'rule {{\n    status = "Enabled"\n    priority = 4\n    filter {{\n      prefix = ""\n    }}\n    {DEST}\n  }}',
    "priority-without-filter": f'rule {{\n    id = "v1"\n    priority = 5\n    prefix = "logs/"\n    status = "Enabled"\n    {DEST}\n  }}',
    "no-prefix-no-filter": f'rule {{\n    status = "Enabled"\n    {DEST}\n  }}',
    "and-empty-prefix": f'rule {{\n    status = "Enabled"\n    filter {{\n      and {{\n        prefix = ""\n      }}\n    }}\n    {DEST}\n  }}',
    "and-prefix-and-tags": f'rule {{\n    status = "Enabled"\n    filter {{\n      and {{\n        prefix = ""\n        tags = {{ b = "2", a = "" }}\n      }}\n    }}\n    {DEST}\n  }}',
    "tag-empty-value": f'rule {{\n    status = "Enabled"\n    filter {{\n      tag {{\n        key = "k"\n        value = ""\n      }}\n    }}\n    {DEST}\n  }}',
    "prefix-and-tag": f'rule {{\n    status = "Enabled"\n    filter {{\n      prefix = "p/"\n      tag {{\n        key = "k"\n        value = "v"\n      }}\n    }}\n    {DEST}\n  }}',
    "existing-objects": f'rule {{\n    status = "Enabled"\n    filter {{\n      prefix = "x/"\n    }}\n    existing_object_replication {{\n      status = "Enabled"\n    }}\n    delete_marker_replication {{\n      status = "Disabled"\n    }}\n    {DEST}\n  }}',
    "empty-criteria": f'rule {{\n    status = "Enabled"\n    filter {{}}\n    source_selection_criteria {{}}\n    {DEST}\n  }}',
    "storage-classes": "\n  ".join(
        f'rule {{\n    id = "{c}"\n    priority = {i}\n    status = "Enabled"\n    filter {{\n      prefix = "{c}/"\n    }}\n'
        f'    destination {{\n      bucket = "arn:aws:s3:::reader-replica"\n      storage_class = "{c}"\n    }}\n  }}'
        for i, c in enumerate(V4_STORAGE_CLASSES)),
}
LEGACY_DEST = 'destination {\n        bucket = "arn:aws:s3:::reader-replica"\n      }'
# Inline (deprecated) blocks: the rules blocks of an aws_s3_bucket's replication_configuration.
LEGACY = {
    "inline-empty-filter": f'rules {{\n      status = "Enabled"\n      filter {{}}\n      {LEGACY_DEST}\n    }}',
    "inline-priority-without-filter": f'rules {{\n      priority = 5\n      prefix = "logs/"\n      status = "Enabled"\n      {LEGACY_DEST}\n    }}',
    "inline-time-defaults": 'rules {\n      status = "Enabled"\n      filter {\n        prefix = "t/"\n      }\n      destination {\n'
                            '        bucket = "arn:aws:s3:::reader-replica"\n        replication_time {}\n        metrics {}\n      }\n    }',
    "inline-tags": 'rules {\n      status = "Enabled"\n      delete_marker_replication_status = "Enabled"\n      filter {\n        tags = { k = "" }\n'
                   f'      }}\n      {LEGACY_DEST}\n    }}',
}


def v4_module(bucket: str, rule: str) -> str:
    """A versioned bucket and its v4 replication resource holding rule."""
    return VERSIONED.format(bucket=bucket) + f'''
resource "aws_s3_bucket_replication_configuration" "this" {{
  depends_on = [aws_s3_bucket_versioning.source]
  bucket     = aws_s3_bucket.source.id
  role       = "arn:aws:iam::123456789012:role/reader"
  {rule}
}}
'''


def legacy_module(bucket: str, rules: str) -> str:
    """A bucket with the inline versioning and replication_configuration blocks."""
    return f'''resource "aws_s3_bucket" "source" {{
  bucket = "{bucket}"
  versioning {{
    enabled = true
  }}
  replication_configuration {{
    role = "arn:aws:iam::123456789012:role/reader"
    {rules}
  }}
}}
'''


def test_reader_reads_what_the_provider_sends(terraform, s3_emulator, tmp_path):
    tf = terraform("reader")
    fixtures = {**{name: v4_module(name, rule) for name, rule in V4.items()},
                **{name: legacy_module(name, rules) for name, rules in LEGACY.items()}}
    for name, text in fixtures.items():
        tf.write(f"{name}/main.tf", text)
    tf.write("main.tf", "".join(f'module "{name}" {{\n  source = "./{name}"\n}}\n' for name in fixtures))
    tf.init()
    tf.apply()
    problems = []
    for name in fixtures:
        puts = s3_emulator.puts(name)
        if not puts:
            problems.append(f"{name}: nothing was PUT")
            continue
        ours = json.loads(write(read(tf.workdir / name / "main.tf", "terraform"), "cli-json"))
        if in_order(ours) != in_order(puts[-1]):
            diff = difflib.unified_diff(json.dumps(in_order(ours), indent=1).splitlines(),
                                        json.dumps(in_order(puts[-1]), indent=1).splitlines(), "s3repl", "provider", lineterm="")
            problems.append(f"{name}:\n" + "\n".join(diff))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("storage_class", ["AWS_BACKUP_WARM", "NEW_CLASS"])
def test_storage_classes_the_provider_refuses(terraform, storage_class):
    """Where terraform refuses a storage class at validate, s3repl's validate reports it too."""
    tf = terraform("refuse")
    tf.write("main.tf", v4_module("refused", V4["storage-classes"].replace('"STANDARD"', f'"{storage_class}"', 1)))
    tf.init()
    refused = tf.run("validate", check=False).returncode != 0
    from converter import validate

    found = validate(read(tf.workdir / "main.tf", "terraform"))
    assert refused == any("storage_class" in (d.path or "") and d.severity == "error" for d in found), found
