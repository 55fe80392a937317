"""The golden matrix over samples/: every reader gives the same model, every writer reproduces its file, every pair round-trips."""

from __future__ import annotations

import pytest

from converter import loads, select, write
from conftest import FORMAT_OF, SAMPLES, expected, json_shape, sample_files

FILES = sample_files()
WRITABLE = [(s, f, fmt) for s, f, fmt in FILES if f.suffix != ".yaml"]  # nothing writes YAML CLI input


def _read(path, fmt, sample):
    bucket = expected(sample)[0].bucket
    return select(loads(path.read_text(encoding="utf-8"), fmt, name=str(path)), bucket)


def test_samples_cover_every_case():
    assert len(SAMPLES) >= 8
    for sample in SAMPLES:
        assert {"cli-json.json", "s3-xml.xml", "model.json", "README.md"} <= {p.name for p in sample.iterdir()}


@pytest.mark.parametrize("sample,path,fmt", FILES, ids=lambda v: getattr(v, "name", v))
def test_every_reader_gives_the_same_model(sample, path, fmt):
    assert _read(path, fmt, sample) == expected(sample)


@pytest.mark.parametrize("sample,path,fmt", [(s, p, f) for s, p, f in FILES], ids=lambda v: getattr(v, "name", v))
def test_detection_finds_the_format(sample, path, fmt):
    assert loads(path.read_text(encoding="utf-8"), name=path.name) == loads(path.read_text(encoding="utf-8"), fmt)


@pytest.mark.parametrize("sample,path,fmt", WRITABLE, ids=lambda v: getattr(v, "name", v))
def test_every_writer_reproduces_the_file(sample, path, fmt):
    shape = json_shape(path) if fmt == "cli-json" else "bare"
    assert write(expected(sample), fmt, shape=shape) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.name)
@pytest.mark.parametrize("via", sorted(set(FORMAT_OF.values())))
def test_every_format_round_trips(sample, via):
    configs = expected(sample)
    assert select(loads(write(configs, via), via), configs[0].bucket) == configs
