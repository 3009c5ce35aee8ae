"""The alert rules (deploy/prometheus/alerts.yml) under ``promtool test rules``.

Each alert gets a moment it must fire, with its labels and rendered summary, and a
moment it must stay quiet, in the table tests/deploy/alert_cases.yml. The runbook texts
are taken from the rules file itself (so they are written once); the summaries are
spelled out in the table, so their templates are tested. promtool comes from Debian's
prometheus package, installed when missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from meldkamer.metrics import exposed_names
from tests.deploy.proxy import ROOT, ensure_tool

RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
DEPLOY_DOC = ROOT / "docs" / "DEPLOY.md"
#: Metrics the rules use that other exporters provide.
EXTERNAL = {"up": "Prometheus itself", "probe_success": "the blackbox exporter"}


def alerts() -> dict[str, dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return {rule["alert"]: rule for group in groups for rule in group["rules"]}


CASES_FILE = Path(__file__).with_name("alert_cases.yml")


@dataclass
class Case:
    """Input series; at ``fire`` the alert is active with ``labels`` and ``summary``."""

    alert: str
    series: dict[str, str]
    fire: str
    labels: dict[str, str]
    summary: str
    quiet: list[str] = field(default_factory=list)


def _texts(value: Any) -> list[str]:
    """Every leaf of a case; YAML's numbers and booleans would reach promtool changed."""
    if isinstance(value, dict):
        return [*value, *(t for v in value.values() for t in _texts(v))]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    assert isinstance(value, str), f"{CASES_FILE.name}: {value!r} is no text (put it in quotes)"
    return [value]


def load_cases() -> list[Case]:
    entries = yaml.safe_load(CASES_FILE.read_text())
    for entry in entries:
        _texts(entry)
    return [Case(**entry) for entry in entries]


CASES = load_cases()


def promtool_test(case: Case, rule: dict[str, Any]) -> dict[str, Any]:
    fixed = {k: v for k, v in rule["annotations"].items() if k != "summary"}
    expected = {"exp_labels": case.labels, "exp_annotations": {**fixed, "summary": case.summary}}
    checks = [{"eval_time": case.fire, "alertname": case.alert, "exp_alerts": [expected]}]
    checks += [{"eval_time": t, "alertname": case.alert, "exp_alerts": []} for t in case.quiet]
    return {
        "interval": "30s",
        "input_series": [{"series": s, "values": v} for s, v in case.series.items()],
        "alert_rule_test": checks,
    }


@pytest.fixture(scope="module")
def promtool() -> str:
    ensure_tool("promtool")
    found = shutil.which("promtool")
    assert found, "promtool missing after installing Debian's prometheus package"
    return found


def test_the_rules_and_the_scrape_configuration_are_valid(promtool: str) -> None:
    checked = subprocess.run(
        [promtool, "check", "rules", str(RULES)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    config = RULES.parent / "prometheus.yml"
    checked = subprocess.run(
        [promtool, "check", "config", "--syntax-only", str(config)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_alert_fires_and_stays_quiet_when_it_should(promtool: str, tmp_path: Path) -> None:
    rules = alerts()
    shutil.copy(RULES, tmp_path / RULES.name)
    suite = {
        "rule_files": [RULES.name],
        "evaluation_interval": "30s",
        "tests": [promtool_test(case, rules[case.alert]) for case in CASES],
    }
    (tmp_path / "alerts.test.yml").write_text(yaml.safe_dump(suite, allow_unicode=True))
    result = subprocess.run(
        [promtool, "test", "rules", "alerts.test.yml"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_case_a_runbook_and_only_known_metrics() -> None:
    rules = alerts()
    assert {case.alert for case in CASES} == set(rules)
    known = exposed_names() | set(EXTERNAL)
    doc = DEPLOY_DOC.read_text()
    for name, rule in rules.items():
        used = set(re.findall(r"\b(meldkamer_\w+|up|probe_success)\b", rule["expr"]))
        assert used and used <= known, (name, used - known)
        assert rule["labels"]["severity"] in {"critical", "warning"}
        assert {"summary", "runbook", "runbook_url"} <= set(rule["annotations"])
        anchor = rule["annotations"]["runbook_url"].split("#", 1)[1]
        assert anchor == name.lower()
        assert f"### {name}" in doc, f"docs/DEPLOY.md has no runbook section for {name}"
