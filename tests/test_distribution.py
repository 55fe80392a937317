"""Distribution: the LICENSE pyproject names, and the GitHub Action's steps run as a runner would run them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib

import pytest
import yaml
from conftest import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json").read_text())
VALID = (ROOT / "samples" / "two-destinations" / "cli-json.json").read_text()
INVALID = VALID.replace('"Status": "Disabled"', '"Status": "Enabled"')  # delete markers with a tag filter: E110


def test_the_license_is_the_apache_2_text_pyproject_names():
    text = (ROOT / "LICENSE").read_text()
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == {"text": "Apache-2.0"}
    assert "Apache License\n                           Version 2.0, January 2004" in text
    sections = re.findall(r"^   (\d)\. [A-Z][A-Za-z ]+\.", text, re.M)
    assert sections == [str(n) for n in range(1, 10)]  # all nine sections, in full
    assert "END OF TERMS AND CONDITIONS" in text


def substitute(text: str, inputs: dict[str, str]) -> str:
    """What the runner does to ${{ inputs.x }} and ${{ github.action_path }} before a step runs."""
    text = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m[1]], text)
    return text.replace("${{ github.action_path }}", str(ROOT))


def run_steps(steps, inputs, workspace, path_dirs) -> list[subprocess.CompletedProcess]:
    """Each run: step as GitHub runs it (bash -eo pipefail), with its env substituted; stops at the first failure."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the installed s3repl, not this checkout
    # Offline: the dependencies come from the test environment (see the venv fixture), not from PyPI.
    env.update(PATH=os.pathsep.join([*map(str, path_dirs), env["PATH"]]), PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="0")
    results = []
    for step in steps:
        step_env = {**env, **{k: substitute(str(v), inputs) for k, v in step.get("env", {}).items()}}
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", substitute(step["run"], inputs)],
                                cwd=workspace, env=step_env, capture_output=True, text=True, check=False)
        results.append(result)
        if result.returncode:
            break
    return results


@pytest.fixture(scope="module")
def setup_python(tmp_path_factory):
    """What actions/setup-python leaves on PATH: a fresh Python; it sees this environment's packages, so installing
    s3repl needs no network (the action's own install step still builds and installs it from the checkout)."""
    venv = tmp_path_factory.mktemp("setup-python") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (site,) = (venv / "lib").glob("python3*/site-packages")
    (site / "test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def test_the_action_is_composite_with_setup_python_install_validate_and_upload():
    steps = ACTION["runs"]["steps"]
    assert ACTION["runs"]["using"] == "composite"
    assert [s.get("uses", s.get("name")) for s in steps] == [
        "actions/setup-python@v5", "Install s3repl", "Validate", "github/codeql-action/upload-sarif@v3"]
    upload = steps[-1]
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}" and "always()" in upload["if"]
    for step in steps:  # inputs reach the shell through env only: a path named "; rm -rf ~" stays a path
        assert "${{" not in step.get("run", "")


@pytest.mark.parametrize("content,code,rule_ids", [(INVALID, 1, ["E110"]), (VALID, 0, [])])
def test_the_action_steps_install_s3repl_and_write_sarif(setup_python, tmp_path, content, code, rule_ids):
    workspace = tmp_path / "repo"
    (workspace / "infra").mkdir(parents=True)
    (workspace / "infra" / "replication.json").write_text(content)
    (workspace / "infra" / "package.json").write_text('{"name": "unrelated"}')  # skipped: no replication in it
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    inputs.update(paths="infra", args="--strict", **{"sarif-file": "reports/s3repl.sarif"})
    steps = [s for s in ACTION["runs"]["steps"] if "run" in s]
    install, validate = run_steps(steps, inputs, workspace, [setup_python])
    assert install.returncode == 0, install.stderr
    assert validate.returncode == code, validate.stderr
    assert (setup_python / "s3repl").exists()  # installed by the action, not borrowed from this checkout
    log = json.loads((workspace / "reports" / "s3repl.sarif").read_text())
    import jsonschema

    jsonschema.validate(log, SCHEMA)
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == rule_ids
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "infra/replication.json"
               for r in results)  # relative to the workspace, as code scanning wants


def test_the_readme_snippets_name_real_inputs_and_hooks():
    snippets = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)]
    (action_step,) = [s for snippet in snippets if isinstance(snippet, list) for s in snippet
                      if "s3repl" in s.get("uses", "")]
    assert set(action_step["with"]) <= set(ACTION["inputs"])
    hooks = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    (config,) = [s for s in snippets if isinstance(s, dict) and "repos" in s]
    assert {hook["id"] for repo in config["repos"] for hook in repo["hooks"]} == hooks
