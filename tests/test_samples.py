"""The golden matrix over samples/: every reader gives the same model, every writer reproduces its file, every pair round-trips."""

from __future__ import annotations

import pytest
from conftest import HANDWRITTEN, SAMPLES, expected, json_shape, sample_files, without_origin

from converter import loads, select, write

FILES = sample_files()
WRITTEN = [(s, f, fmt) for s, f, fmt in FILES if f.name not in HANDWRITTEN]
ids = lambda v: getattr(v, "name", v)  # noqa: E731


def _read(path, fmt, sample):
    configs = expected(sample)
    bucket = configs[0].bucket if len(configs) == 1 else None
    return without_origin(select(loads(path.read_text(encoding="utf-8"), fmt, name=str(path)), bucket))


def test_samples_cover_every_case():
    assert len(SAMPLES) >= 11
    for sample in SAMPLES:
        names = {p.name for p in sample.iterdir()}
        assert {"model.json", "README.md", "cloudformation.yaml", "cloudformation.json"} <= names, sample
        if "template.yaml" not in names and "template.json" not in names:  # a case every format can hold
            assert {"cli-json.json", "s3-xml.xml"} <= names, sample


@pytest.mark.parametrize("sample,path,fmt", FILES, ids=ids)
def test_every_reader_gives_the_same_model(sample, path, fmt):
    assert _read(path, fmt, sample) == without_origin(expected(sample))


@pytest.mark.parametrize("sample,path,fmt", FILES, ids=ids)
def test_detection_finds_the_format(sample, path, fmt):
    text = path.read_text(encoding="utf-8")
    assert loads(text, name=path.name) == loads(text, fmt)


@pytest.mark.parametrize("sample,path,fmt", WRITTEN, ids=ids)
def test_every_writer_reproduces_the_file(sample, path, fmt):
    shape = json_shape(path) if fmt == "cli-json" else "bare"
    assert write(expected(sample), fmt, shape=shape, warn=lambda d: None) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("sample,via", sorted({(s, fmt) for s, _, fmt in WRITTEN}), ids=ids)
def test_every_format_round_trips(sample, via):
    configs = expected(sample)
    bucket = configs[0].bucket if len(configs) == 1 else None
    back = select(loads(write(configs, via, warn=lambda d: None), via), bucket)
    assert without_origin(back) == without_origin(configs)
