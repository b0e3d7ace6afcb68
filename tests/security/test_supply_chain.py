"""`make audit` decides from what bandit and pip-audit report: a finding fails the build, a
vulnerability service out of reach only warns, loudly. (The tools themselves run in `make audit`.)"""
from __future__ import annotations

import importlib.util
import json
import subprocess  # nosec B404 - the calls are replaced by fakes here
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit.py"


@pytest.fixture
def audit():
    spec = importlib.util.spec_from_file_location("salus_audit", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_run(stdout: str = "", stderr: str = "", returncode: int = 0, error: Exception | None = None):
    def run(command, **_kwargs):
        if error is not None:
            raise error
        return subprocess.CompletedProcess(command, returncode, stdout=stdout, stderr=stderr)
    return run


def report(*dependencies) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
VULNERABLE = {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"],
                                                               "aliases": [], "description": ""}]}
UNKNOWN = {"name": "nh3", "skip_reason": "Dependency not found on PyPI and could not be audited: nh3 (0.3.8)"}


def test_a_known_vulnerability_fails_and_names_the_fix(audit, monkeypatch, capsys):
    monkeypatch.setattr(audit.subprocess, "run", fake_run(report(CLEAN, VULNERABLE), returncode=1))
    assert audit.run_pip_audit() is False
    out = capsys.readouterr().out
    assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in: 3.1.3)" in out and "FAILED" in out


def test_no_vulnerability_passes(audit, monkeypatch, capsys):
    monkeypatch.setattr(audit.subprocess, "run", fake_run(report(CLEAN)))
    assert audit.run_pip_audit() is True
    assert "no known vulnerability in the 1 package(s) checked" in capsys.readouterr().out


@pytest.mark.parametrize("run", [
    fake_run(stderr="requests.exceptions.ConnectionError: Max retries exceeded", returncode=1),
    fake_run(error=subprocess.TimeoutExpired("pip-audit", 90)),
])
def test_an_unreachable_service_warns_without_failing(audit, monkeypatch, capsys, run):
    monkeypatch.setattr(audit.subprocess, "run", run)
    assert audit.run_pip_audit() is True
    out = capsys.readouterr().out
    assert "!!!!" in out and "NOT checked" in out


def test_packages_the_service_cannot_answer_for_are_named_in_a_warning(audit, monkeypatch, capsys):
    monkeypatch.setattr(audit.subprocess, "run", fake_run(report(CLEAN, UNKNOWN)))
    assert audit.run_pip_audit() is True
    out = capsys.readouterr().out
    assert "could check only 1 of 2" in out and "nh3 (0.3.8)" in out


def test_an_unreviewed_bandit_finding_fails(audit, monkeypatch, capsys):
    finding = "app/x.py:3: B311 [LOW/HIGH] Standard pseudo-random generators are not suitable"
    monkeypatch.setattr(audit.subprocess, "run", fake_run(stdout=finding + "\n", returncode=1,
                                                          stderr="[manager] WARNING Test in comment: why is not a "
                                                                 "test name or id, ignoring\n"))
    assert audit.run_bandit() is False
    out = capsys.readouterr().out
    assert finding in out and "not a test name" not in out
