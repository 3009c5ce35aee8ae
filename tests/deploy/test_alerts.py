"""The alert rules (deploy/prometheus/alerts.yml) under ``promtool test rules``.

Each alert gets a moment it must fire, with its labels and rendered summary, and a
moment it must stay quiet. The runbook texts are taken from the rules file itself (so
they are written once); the summaries are spelled out here, so their templates are
tested. promtool comes from Debian's prometheus package, installed when missing.
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


@dataclass
class Case:
    """Input series; at ``fire`` the alert is active with ``labels`` and ``summary``."""

    alert: str
    series: dict[str, str]
    fire: str
    labels: dict[str, str]
    summary: str
    quiet: list[str] = field(default_factory=list)


CASES = [
    Case(
        "MeldkamerAcuutNietBevestigd",
        {'meldkamer_workorders_past_deadline{urgency="acuut"}': "0 0 1x10"},
        "4m",
        {"severity": "critical", "urgency": "acuut"},
        "1 acute werkbon(nen) niet bevestigd na de escalatietijd",
        quiet=["30s", "2m"],  # 2m: one minute late, within the grace for a worker round
    ),
    Case(
        "MeldkamerAcuutTicketVoorMedewerker",
        {'meldkamer_tickets_attention{urgency="acuut"}': "1x20"},
        "6m",
        {"severity": "critical", "urgency": "acuut"},
        "1 open acuut ticket(s) wachten op een medewerker",
        quiet=["4m"],
    ),
    Case(
        "MeldkamerHuurderWachtOpMedewerker",
        {'meldkamer_handover_oldest_wait_seconds{lane="live"}': "0+30x40"},
        "12m",
        {"severity": "critical", "lane": "live"},
        "Een huurder wacht al 12m 0s op een medewerker",
        quiet=["11m"],  # over 10 minutes since 10m30s, but not yet for a minute
    ),
    Case(
        "MeldkamerTerugbelverzoekTeLang",
        {
            'meldkamer_handover_oldest_wait_seconds{lane="callback"}': "0+30x80",
            'meldkamer_handover_oldest_wait_seconds{lane="live"}': "0x80",
        },
        "32m",
        {"severity": "warning", "lane": "callback"},
        "Een terugbelverzoek wacht al 32m 0s",
        quiet=["31m"],
    ),
    Case(
        "MeldkamerWerkTeLaat",
        {'meldkamer_workorders_past_deadline{urgency="urgent"}': "1x40"},
        "16m",
        {"severity": "warning", "urgency": "urgent"},
        "1 urgente werkbon(nen) voorbij de afgesproken tijd",
        quiet=["14m"],
    ),
    Case(
        "MeldkamerSlaVerlopen",
        {
            'meldkamer_sla_breaches_open{clock="ter_plaatse"}': "0 2x20",
            'meldkamer_sla_breaches_open{clock="gereed"}': "0x20",
        },
        "7m",
        {"severity": "warning", "clock": "ter_plaatse"},
        "2 SLA-klok(ken) 'ter_plaatse' over tijd",
        quiet=["4m"],
    ),
    Case(
        "MeldkamerOutboxFaalt",
        {
            'meldkamer_outbox_retrying{kind="email",instance="c1"}': "1x30",
            'meldkamer_outbox_retrying{kind="sms",instance="c1"}': "0x30",
        },
        "11m",
        {"severity": "critical", "kind": "email"},
        "Berichten (email) komen niet weg",
        quiet=["9m"],
    ),
    Case(
        "MeldkamerBerichtOpgegeven",
        {'meldkamer_outbox_failed{kind="sms"}': "0x10 1x60"},
        "8m",
        {"severity": "critical", "kind": "sms"},
        "Een bericht (sms) is opgegeven en komt nooit aan",
        quiet=["4m", "25m"],  # 25m: failed long ago, nothing new
    ),
    Case(
        "MeldkamerSpoolLooptNietLeeg",
        {'meldkamer_spool_files{state="waiting"}': "1x30"},
        "11m",
        {"severity": "critical", "state": "waiting"},
        "1 melding(en) staan al 10 minuten buiten de database",
        quiet=["9m"],
    ),
    Case(
        "MeldkamerSpoolApartGezet",
        {'meldkamer_spool_files{state="set_aside"}': "0 0 2x10"},
        "2m",
        {"severity": "warning", "state": "set_aside"},
        "2 melding(en) apart gezet (.json.fout)",
        quiet=["30s"],
    ),
    Case(
        "MeldkamerWorkerStil",
        # The last round 2 minutes after time zero, then no more (the worker stopped).
        {"meldkamer_worker_last_run_timestamp_seconds": "0+30x4 120x30"},
        "10m",
        {"severity": "critical"},
        "De worker lijkt stil te staan (berichten en escalaties blijven liggen)",
        quiet=["2m", "8m"],  # 8m: silent for 6 minutes, within the 2 minutes' grace
    ),
    Case(
        "MeldkamerWorkerStil",
        # No worker ever ran against this database: the console shows no heartbeat.
        {'up{job="meldkamer-console",instance="console:8080"}': "1x30"},
        "3m",
        {"severity": "critical"},
        "De worker lijkt stil te staan (berichten en escalaties blijven liggen)",
        quiet=["1m"],
    ),
    Case(
        "MeldkamerMetricsWeg",
        {'up{job="meldkamer-console",instance="console:8080"}': "1 0x10"},
        "3m",
        {"severity": "critical", "job": "meldkamer-console", "instance": "console:8080"},
        "Prometheus leest de meldkamer niet meer (console:8080)",
        quiet=["2m"],
    ),
    Case(
        "MeldkamerKanaalWebhookFaalt",
        {
            'probe_success{job="meldkamer-webhooks",channel="telegram",instance="t"}': "0x10",
            'probe_success{job="meldkamer-webhooks",channel="webchat",instance="w"}': "1x10",
        },
        "4m",
        {
            "severity": "critical",
            "job": "meldkamer-webhooks",
            "channel": "telegram",
            "instance": "t",
        },
        "Kanaal telegram antwoordt niet (t)",
        quiet=["2m"],
    ),
]


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
