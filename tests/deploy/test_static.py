"""Static checks of what cannot run here (no container engine, no Kubernetes, no helm).

The Compose file goes through ``docker-compose config`` (Debian's docker-compose needs
no engine for it), the Helm chart through the template subset of tests/deploy/chart.py,
the Grafana dashboard through a JSON parse; all of them are checked for what matters:
non-root, probes, one worker, only the proxy public, metrics that exist.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from meldkamer.metrics import METRICS, exposed_names
from tests.deploy.chart import Chart
from tests.deploy.proxy import CONF, ROOT, ensure_tool
from tests.deploy.test_alerts import EXTERNAL

DEPLOY = ROOT / "deploy"
DASHBOARD = DEPLOY / "grafana" / "meldkamer.json"
COMPOSE = DEPLOY / "docker-compose.yml"
DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
CHART = DEPLOY / "helm" / "meldkamer"
#: Names in PromQL that are no metric.
PROMQL_WORDS = {"sum", "by", "increase", "time", "rate", "max", "min", "avg", "without"}
#: The long-running processes; the worker has no port to probe (see the files' notes).
SERVICES = {"rasa-1", "rasa-2", "actions", "console", "worker", "proxy", "postgres", "redis"}


def metric_names(expr: str) -> set[str]:
    without_labels = re.sub(r"\{[^}]*\}", "", expr)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_labels)
    words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_ranges))
    return words - PROMQL_WORDS - {"lane", "kind", "state", "urgency", "channel"}


# --- Grafana --------------------------------------------------------------------------


def test_the_dashboard_is_json_and_uses_only_metrics_that_exist() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert exprs and all(panel["targets"] for panel in dashboard["panels"])
    known = exposed_names() | set(EXTERNAL)
    used = set().union(*(metric_names(e) for e in exprs))
    assert used <= known, used - known
    # Every business metric is on the dashboard.
    assert exposed_names() <= used
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_the_metric_extraction_sees_every_name() -> None:
    assert metric_names("sum by (urgency) (increase(meldkamer_tickets_created_total[1h]))") == {
        "meldkamer_tickets_created_total"
    }
    assert metric_names('time() - x_seconds{job="a"}') == {"x_seconds"}
    assert len(METRICS) == len(exposed_names())


# --- Compose --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    ensure_tool("docker-compose")
    env = {**os.environ, "MELDKAMER_PUBLIC_URL": "https://meldkamer.test"}
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def test_compose_refuses_to_start_without_the_public_url() -> None:
    ensure_tool("docker-compose")
    env = {k: v for k, v in os.environ.items() if k != "MELDKAMER_PUBLIC_URL"}
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config"], capture_output=True, text=True, env=env
    )
    assert result.returncode != 0 and "MELDKAMER_PUBLIC_URL" in result.stderr


def test_compose_runs_every_process_and_only_the_proxy_is_public(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert SERVICES <= set(services)
    public = {name for name, service in services.items() if service.get("ports")}
    assert public == {"proxy"}
    for name in SERVICES:
        assert services[name]["restart"] == "unless-stopped", name
        if name != "worker":
            assert services[name]["healthcheck"]["test"], name
    # The migrations run once, before every process that uses the database.
    assert services["migrate"]["restart"] == "no"
    for name in ("rasa-1", "rasa-2", "actions", "console", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert services[name]["image"] == services["migrate"]["image"]
    rasa = services["rasa-1"]
    assert rasa["command"][:3] == ["python", "-m", "rasa_addons.rasa_server"]
    assert rasa["environment"]["REDIS_URL"], "two Rasa servers share locks and streams"


def test_compose_takes_secrets_from_files_that_make_secrets_makes(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    made = tmp_path / "secrets"
    subprocess.run([str(DEPLOY / "make_secrets.sh"), str(made)], check=True, capture_output=True)
    assert {Path(s["file"]).name for s in compose["secrets"].values()} <= {
        p.name for p in made.iterdir()
    }
    assert (made / "tls" / "fullchain.pem").exists()
    for service in compose["services"].values():
        for name, value in service.get("environment", {}).items():
            assert not re.search(r"(TOKEN|PASSWORD|SECRET_KEY|DATABASE_URL)$", name) or not value, (
                f"{name} must come from a file ({name}_FILE)"
            )


def test_the_entrypoint_reads_secret_files(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("geheim")
    env = {
        "PATH": os.environ["PATH"],
        "MELDKAMER_RASA_TOKEN_FILE": str(tmp_path / "token"),
        "SSL_CERT_FILE": str(tmp_path / "token"),  # not ours: left alone
    }
    script = DEPLOY / "docker" / "entrypoint.sh"
    shown = subprocess.run(
        ["sh", str(script), "sh", "-c", 'echo "$MELDKAMER_RASA_TOKEN|${SSL_CERT:-}"'],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "geheim|"
    env["MELDKAMER_RASA_TOKEN_FILE"] = str(tmp_path / "missing")
    failed = subprocess.run(["sh", str(script), "true"], env=env, capture_output=True, text=True)
    assert failed.returncode == 1 and "MELDKAMER_RASA_TOKEN_FILE" in failed.stderr


# --- Dockerfile -----------------------------------------------------------------------


def test_the_image_is_small_non_root_python_310_with_the_model() -> None:
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert stages and all(s.startswith("python:3.10-slim") for s in stages)
    final = text.rsplit("\nFROM ", 1)[1]
    assert "build-essential" not in final  # compilers only in the build stage
    users = re.findall(r"^USER (\S+)", final, re.M)
    assert users and not users[-1].startswith(("root", "0"))
    assert "models/meldkamer.tar.gz" in final
    assert not re.search(r"^ADD ", text, re.M)
    # The trained model is built by `make model` before `docker build` (docs/DEPLOY.md),
    # so on a fresh clone (make lint runs first) it may not exist yet; every other source does.
    built = {"models/meldkamer.tar.gz"}
    for path in re.findall(r"^COPY (?:--chown=\S+ )?(\S+) ", final, re.M):
        if not path.startswith("--from") and path not in built:
            assert (ROOT / path).exists(), path
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var", "tests", "deploy/secrets"} <= set(ignored)


# --- Helm -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chart() -> dict[str, list[Any]]:
    return Chart(CHART).render()


def by_kind(chart: dict[str, list[Any]], kind: str) -> dict[str, Any]:
    return {
        d["metadata"]["name"].removeprefix("test-meldkamer-"): d
        for docs in chart.values()
        for d in docs
        if d["kind"] == kind
    }


def test_the_chart_renders_replicas_probes_and_one_worker(chart: dict[str, list[Any]]) -> None:
    deployments = by_kind(chart, "Deployment")
    assert set(deployments) == {"rasa", "actions", "console", "worker"}
    for name, deployment in deployments.items():
        spec = deployment["spec"]
        pod = spec["template"]["spec"]
        (container,) = pod["containers"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        selector = spec["selector"]["matchLabels"]
        assert selector.items() <= spec["template"]["metadata"]["labels"].items()
        if name == "worker":
            assert spec["replicas"] == 1 and "livenessProbe" not in container
            continue
        assert spec["replicas"] >= 2, name
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["port"] == "http", (name, probe)
    services = by_kind(chart, "Service")
    assert set(services) == {"rasa", "actions", "console"}
    (job,) = by_kind(chart, "Job").values()
    assert "pre-upgrade" in job["metadata"]["annotations"]["helm.sh/hook"]


def test_the_chart_reads_the_secrets_make_secrets_makes(
    chart: dict[str, list[Any]], tmp_path: Path
) -> None:
    made = tmp_path / "secrets"
    subprocess.run([str(DEPLOY / "make_secrets.sh"), str(made)], check=True, capture_output=True)
    files = {
        Path(entry["value"]).name
        for deployment in by_kind(chart, "Deployment").values()
        for entry in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        if entry["name"].endswith("_FILE")
    }
    assert files and files <= {p.name for p in made.iterdir()}


def nginx_public_prefixes() -> set[str]:
    text = CONF.read_text()
    prefixes = set()
    for group in re.findall(r"location ~ \^/webhooks/\(([^)]*)\)", text):
        prefixes |= {f"/webhooks/{name}" for name in group.split("|")}
    for group in re.findall(r"location ~ \^/\(([^)]*)\)", text):
        # A name with a dot is escaped in the regex (tickets\.csv): the Ingress has it plain.
        prefixes |= {"/" + name.replace("\\.", ".") for name in group.split("|")}
    if "location /api/ {" in text:
        prefixes.add("/api")
    return prefixes


def test_the_ingress_exposes_what_the_proxy_exposes(chart: dict[str, list[Any]]) -> None:
    (ingress,) = by_kind(chart, "Ingress").values()
    paths = {
        p["path"]: p["backend"]["service"]["name"].removeprefix("test-meldkamer-")
        for rule in ingress["spec"]["rules"]
        for p in rule["http"]["paths"]
    }
    assert set(paths) - {"/"} == nginx_public_prefixes()
    assert {paths[p] for p in paths if p.startswith("/webhooks/")} == {"rasa"}
    assert {paths[p] for p in paths if not p.startswith("/webhooks/")} == {"console"}
    assert not {"/metrics", "/conversations", "/model", "/webhook"} & set(paths)


# --- systemd --------------------------------------------------------------------------


def test_the_systemd_units_are_valid_and_restart_what_dies(tmp_path: Path) -> None:
    units = sorted((DEPLOY / "systemd").glob("meldkamer-*.[st]*"))
    names = []
    for unit in units:
        # A template unit is verified as one of its instances.
        name = unit.name.replace("@.", "@5005.")
        (tmp_path / name).write_text(unit.read_text())
        names.append(str(tmp_path / name))
        if unit.suffix == ".service" and "backup" not in unit.name:
            assert "\nRestart=always\n" in unit.read_text(), unit.name
            assert "\nUser=meldkamer\n" in unit.read_text(), unit.name
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names], capture_output=True, text=True
    )
    # Only complaint allowed here: the programs live under /opt/meldkamer on a server.
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line and "/opt/meldkamer/" not in line
    ]
    assert problems == []


def nginx_console_locations() -> list[re.Pattern[str]]:
    """The locations of the proxy file that pass requests to the console."""
    text = CONF.read_text()
    blocks = re.findall(r"location (= |~ )?(\S+) \{([^}]*)\}", text)
    patterns = []
    for modifier, path, body in blocks:
        if "meldkamer_console" not in body:
            continue
        if modifier == "~ ":
            patterns.append(re.compile(path))
        elif modifier == "= ":
            patterns.append(re.compile(re.escape(path) + "$"))
        else:
            patterns.append(re.compile(re.escape(path)))
    return patterns


def test_every_console_route_passes_the_proxy_but_metrics() -> None:
    from console.app import ConsoleSettings, init_app

    app = init_app(ConsoleSettings(database_url="unused"))
    sample = {"handover_id": "1", "number": "MK-2026-000001", "attachment_id": "1"}
    patterns = nginx_console_locations()
    for route in app.router.routes():
        if route.resource is None or route.method == "HEAD":
            continue
        path = re.sub(
            r"\{(\w+)(:[^}]*)?\}", lambda m: sample.get(m.group(1), "x1"), route.resource.canonical
        )
        if route.resource.canonical == "/static":
            path = "/static/console.css"
        passes = any(p.match(path) for p in patterns)
        assert passes == (route.resource.name != "metrics"), (
            f"{route.method} {path}: add it to deploy/nginx/meldkamer.conf (and the Ingress)"
        )


#: Channels of credentials.yml that the proxy does not route, and why.
NOT_ROUTED = {"email": "mail arrives over IMAP or the SMTP listener, not over HTTP"}


def test_every_channel_webhook_is_routed_or_said_why_not() -> None:
    modules = yaml.safe_load((ROOT / "credentials.yml").read_text())
    names = set()
    for dotted in modules:
        # The channel's own name() (Rasa's webhook path): channels may inherit it from
        # channels.common.channel, so it is asked, not read from the source.
        module, cls = dotted.rsplit(".", 1)
        names.add(getattr(importlib.import_module(module), cls).name())
    routed = {p.removeprefix("/webhooks/") for p in nginx_public_prefixes() if "/webhooks/" in p}
    assert routed == names - set(NOT_ROUTED)
    assert set(NOT_ROUTED) <= names
