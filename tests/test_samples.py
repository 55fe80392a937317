"""The golden matrix over samples/: every reader gives the same model, every writer reproduces its file, every pair round-trips."""

from __future__ import annotations

import pytest
from conftest import HANDWRITTEN, SAMPLES, as_read_by, carried_by, expected, json_shape, sample_files

from converter import loads, read, select, write

FILES = sample_files()
WRITTEN = [(s, f, fmt) for s, f, fmt in FILES if f.name not in HANDWRITTEN]
# Files whose references were translated from another language (Terraform written from a template, and back).
LANGUAGE = {"cloudformation": "cfn", "cloudformation-json": "cfn", "terraform": "tf", "terraform-json": "tf",
            "terraform-legacy": "tf"}
TRANSLATED = [(s, f, fmt) for s, f, fmt in WRITTEN
              if s.name.split("-")[0] in ("cfn", "tf") and LANGUAGE.get(fmt) not in (None, s.name.split("-")[0])]
# The v4 resource written from a v3 bucket points at the bucket resource, whose literal name stays in the v3 file.
TRANSLATED += [(s, f, fmt) for s, f, fmt in WRITTEN if s.name == "tf-v3-bucket" and fmt in ("terraform", "terraform-json")]
SAME_LANGUAGE = [entry for entry in FILES if entry not in TRANSLATED]
ids = lambda v: getattr(v, "name", v)  # noqa: E731


def _read(path, fmt, sample):
    configs = expected(sample)
    bucket = configs[0].bucket if len(configs) == 1 and isinstance(configs[0].bucket, str) else None
    return as_read_by(fmt, select(read(path, fmt), bucket))


def test_samples_cover_every_case():
    assert len(SAMPLES) >= 11
    for sample in SAMPLES:
        names = {p.name for p in sample.iterdir()}
        assert {"model.json", "README.md", "cloudformation.yaml", "cloudformation.json", "main.tf", "main.tf.json"} <= names, sample
        if not names & HANDWRITTEN - {"cli-json.yaml"}:  # a case every format can hold
            assert {"cli-json.json", "s3-xml.xml"} <= names, sample


@pytest.mark.parametrize("sample,path,fmt", SAME_LANGUAGE, ids=ids)
def test_every_reader_gives_the_same_model(sample, path, fmt):
    assert _read(path, fmt, sample) == as_read_by(fmt, expected(sample))


@pytest.mark.parametrize("sample,path,fmt", TRANSLATED, ids=ids)
def test_translated_files_read_back_as_they_were_written(sample, path, fmt):
    configs = read(path, fmt)
    assert write(configs, fmt, warn=lambda d: None) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("sample,path,fmt", FILES, ids=ids)
def test_detection_finds_the_format(sample, path, fmt):
    assert read(path) == read(path, fmt)


@pytest.mark.parametrize("sample,path,fmt", WRITTEN, ids=ids)
def test_every_writer_reproduces_the_file(sample, path, fmt):
    shape = json_shape(path) if fmt == "cli-json" else "bare"
    configs = carried_by(fmt, expected(sample))
    assert write(configs, fmt, shape=shape, warn=lambda d: None) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("sample,via", sorted({(s, fmt) for s, f, fmt in WRITTEN if (s, f, fmt) in SAME_LANGUAGE}), ids=ids)
def test_every_format_round_trips(sample, via):
    configs = carried_by(via, expected(sample))
    bucket = configs[0].bucket if len(configs) == 1 and isinstance(configs[0].bucket, str) else None
    back = select(loads(write(configs, via, warn=lambda d: None), via), bucket)
    assert as_read_by(via, back) == as_read_by(via, configs)
