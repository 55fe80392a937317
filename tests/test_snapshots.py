"""Snapshots of emitted text that no golden sample pins: upgrades, refusals, error listings."""

from __future__ import annotations

from conftest import ROOT

SAMPLES = ROOT / "samples"


def test_v1_console_export_upgraded_to_v2_xml(cli, snapshot):
    result = cli("convert", SAMPLES / "v1-console-export" / "cli-json.json", "--to", "xml", "--schema", "v2")
    assert result.exit_code == 0
    assert result.stdout == snapshot


def test_v1_downgrade_refusal_lists_every_reason(cli, snapshot):
    result = cli("convert", SAMPLES / "two-destinations" / "cli-json.json", "--to", "json", "--schema", "v1")
    assert result.exit_code == 1
    assert result.stderr.replace(str(SAMPLES), "samples") == snapshot


def test_wrapped_shape(cli, snapshot):
    result = cli("convert", SAMPLES / "rtc-metrics" / "s3-xml.xml", "--to", "json", "--shape", "wrapped")
    assert result.exit_code == 0
    assert result.stdout == snapshot
