"""deploy/nginx/meldkamer.conf on loopback: a self-signed certificate, nginx, the console.

Only the upstream servers, the listen addresses and the certificate paths of the
repository's file are replaced, each exactly once: a change to those lines fails here
instead of testing a different configuration.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from devstack.stack import Stack, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx" / "meldkamer.conf"
NGINX = "/usr/sbin/nginx"


def ensure_tool(tool: str) -> None:
    """Install nginx or promtool from Debian's packages when missing (as the CI does)."""
    subprocess.run([str(ROOT / "deploy" / "ensure_tool.sh"), tool], check=True)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, valid for two days."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def site_config(
    rasa_ports: list[int],
    console_port: int,
    https_port: int,
    http_port: int,
    tls: tuple[Path, Path],
) -> str:
    """The repository's server configuration, pointed at the loopback stack."""
    text = CONF.read_text()
    rasa = "".join(f"    server 127.0.0.1:{port};\n" for port in rasa_ports)
    replacements = {
        "    server rasa-1:5005 max_fails=2 fail_timeout=10s;\n"
        "    server rasa-2:5005 max_fails=2 fail_timeout=10s;\n": rasa,
        "server console:8080": f"server 127.0.0.1:{console_port}",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/etc/meldkamer/tls/fullchain.pem": str(tls[0]),
        "/etc/meldkamer/tls/privkey.pem": str(tls[1]),
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"{CONF.name}: expected {old!r} once"
        text = text.replace(old, new)
    return text


def main_config(folder: Path) -> str:
    """nginx.conf for a private instance: its own pid, logs and temporary folders."""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n    access_log {folder / 'access.log'};\n{temp}\n"
        f"    include {folder / 'meldkamer.conf'};\n}}\n"
    )


@dataclass
class Proxy:
    """nginx and the console in front of a running :class:`Stack`; ``stack.stop()`` stops them."""

    stack: Stack
    folder: Path
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    console_port: int = field(default_factory=free_port)
    context: ssl.SSLContext | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def _console(self) -> None:
        log = self.folder / "console.log"
        env = {
            **os.environ,
            "DATABASE_URL": self.stack.database_url,
            "RASA_URL": self.stack.url,
            "MELDKAMER_RASA_TOKEN": self.stack.rasa_token,
            "CONSOLE_TRUSTED_PROXIES": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "console.app", "--port", str(self.console_port)],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.stack.processes.append(process)
        wait_for(f"http://127.0.0.1:{self.console_port}/health", process, log, timeout=60)

    def _nginx(self) -> None:
        ensure_tool("nginx")
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.folder / "tmp" / kind).mkdir(parents=True, exist_ok=True)
        tls = self_signed(self.folder)
        rasa_ports = [self.stack.rasa_port] + [
            int(u.rsplit(":", 1)[1]) for u in self.stack.extra_urls
        ]
        site = site_config(rasa_ports, self.console_port, self.https_port, self.http_port, tls)
        (self.folder / "meldkamer.conf").write_text(site)
        (self.folder / "nginx.conf").write_text(main_config(self.folder))
        command = [NGINX, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        log = self.folder / "nginx.out"
        process = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=log.open("wb"), stderr=subprocess.STDOUT
        )
        self.stack.processes.append(process)
        self.context = ssl.create_default_context(cafile=str(tls[0]))
        self._wait_tls(process, log)

    def _wait_tls(self, process: subprocess.Popen[bytes], log: Path) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", context=self.context, timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"nginx did not answer:\n{(self.folder / 'error.log').read_text()}")

    def start(self) -> Proxy:
        self._console()
        self._nginx()
        return self
