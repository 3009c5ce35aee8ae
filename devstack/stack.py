"""Start the real Rasa server and action server for end-to-end tests and benchmarks."""

from __future__ import annotations

import fnmatch
import http.client
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from devstack.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
#: The trained model; MELDKAMER_TEST_MODEL lets a branch with changed training data run
#: the end-to-end tests on its own model without replacing the shared one.
MODEL = Path(os.environ.get("MELDKAMER_TEST_MODEL") or ROOT / "models" / "meldkamer.tar.gz")
BIN = Path(sys.executable).parent
#: The agent whose messages :meth:`Stack.agent_says` sends.
AGENT = "Sanne"
#: The demo corporation's web chat site (clients/de-linde.yml).
DEMO_SITE_KEY = "de-linde-demo"
#: Seconds between two looks at a starting server: short, since a start is waited for
#: some fifty times in the end-to-end tests.
POLL = 0.1


def apply_demo_clients(database_url: str, now: datetime | None = None) -> None:
    """Migrate the database and apply clients/*.yml, as `make run` does.

    ``now`` is when the clients count as applied (default: the real time); tests on a
    fixed clock pass theirs, so that the client versions are valid at that moment.
    """
    from meldkamer.clients.loader import load_client
    from meldkamer.clients.store import apply_all
    from meldkamer.db import make_engine, make_sessionmaker, upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            loaded = [load_client(path) for path in sorted((ROOT / "clients").glob("*.yml"))]
            apply_all(session, loaded, by="test", now=now or datetime.now(timezone.utc))
    finally:
        engine.dispose()


def wait_for(
    url: str,
    process: subprocess.Popen[bytes],
    log: Path | Callable[[], str],
    timeout: float = 180,
) -> None:
    """Wait until ``url`` answers 200, failing with the log if the process dies or time runs out.

    ``log``: the process's log file (its end is shown), or what to show instead.
    """

    def tail() -> str:
        return log.read_text()[-3000:] if isinstance(log, Path) else log()

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}:\n{tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(POLL)
    raise TimeoutError(f"{url} did not come up in {timeout} s:\n{tail()}")


def new_token() -> str:
    """A random token for Rasa's API or the action server (one per stack)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Launch:
    """How a process of the stack was started, so that it can be started again alike."""

    args: list[str]
    env: dict[str, str]
    #: The URL that answers 200 once the process serves.
    health: str


@dataclass
class Stack:
    """A running Rasa server (REST channel) and action server on one database.

    Started like ``make run`` (scripts/run.sh): Rasa through :mod:`rasa_addons.rasa_server`
    (API behind ``rasa_token``), the action server through :mod:`rasa_addons.action_server`
    (webhook behind ``action_token``), both on loopback, with the repository's endpoints.yml
    and credentials.yml (or only ``channels``). Uploads and the channels' durable inbox are
    kept in ``workdir``. Call Rasa's API with :meth:`api`.
    """

    database_url: str
    workdir: Path
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    #: Extra environment for every process (e.g. REDIS_URL, a channel's settings).
    env: dict[str, str] = field(default_factory=dict)
    #: Extra environment for the first Rasa server only (others: add_rasa_server's ``env``).
    rasa_env: dict[str, str] = field(default_factory=dict)
    #: Variables of this process the servers do not inherit (fnmatch patterns: "TELEGRAM_*").
    unset: tuple[str, ...] = ()
    #: Only these input channels (a credentials file in workdir); empty: credentials.yml.
    channels: tuple[str, ...] = ()
    #: More Rasa servers on the same database and action server (see add_rasa_server).
    extra_urls: list[str] = field(default_factory=list)
    #: More Rasa servers that :meth:`start` starts alongside the first, as (log name or "",
    #: extra environment); they load the model at the same time (their URLs: extra_urls).
    more_rasa: tuple[tuple[str, Mapping[str, str]], ...] = ()
    #: Apply the demo clients (clients/*.yml) before starting, as `make run` does.
    demo_clients: bool = True
    #: Rasa's ``--auth-token`` (``MELDKAMER_RASA_TOKEN``).
    rasa_token: str = field(default_factory=new_token, repr=False)
    #: What Rasa sends the action server (``MELDKAMER_ACTION_TOKEN``).
    action_token: str = field(default_factory=new_token, repr=False)
    #: How each process was started (see restart).
    launches: dict[subprocess.Popen[bytes], Launch] = field(default_factory=dict, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def uploads(self) -> Path:
        """Where the servers store photos (``MELDKAMER_UPLOAD_DIR``, unless ``env`` says)."""
        return self.workdir / "uploads"

    @property
    def inbox(self) -> Path:
        """The channels' durable inbox (``MELDKAMER_INBOX_DIR``, unless ``env`` says)."""
        return self.workdir / "inbox"

    def api(self, path: str, url: str | None = None, **params: str) -> str:
        """The URL of Rasa's HTTP API ``path`` (on ``url``, default this stack's), with the token."""
        query = urlencode({**params, "token": self.rasa_token})
        return f"{url or self.url}{path}?{query}"

    def log(self, name: str = "rasa") -> str:
        """What process ``name`` (its log's name: rasa, actions, ...) wrote so far."""
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def _env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        inherited = {
            name: value
            for name, value in os.environ.items()
            if not any(fnmatch.fnmatchcase(name, pattern) for pattern in self.unset)
        }
        return {
            **inherited,
            "DATABASE_URL": self.database_url,
            "PYTHONPATH": str(ROOT),
            "MELDKAMER_RASA_TOKEN": self.rasa_token,
            "MELDKAMER_ACTION_TOKEN": self.action_token,
            "MELDKAMER_ACTION_URL": f"http://127.0.0.1:{self.action_port}/webhook",
            # In the workdir, not var/: a stack must not handle another one's leftovers.
            "MELDKAMER_UPLOAD_DIR": str(self.uploads),
            "MELDKAMER_INBOX_DIR": str(self.inbox),
            **self.env,
            **(extra or {}),
        }

    def _spawn(self, launch: Launch, log_name: str, mode: str = "wb") -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            launch.args,
            cwd=ROOT,
            env=launch.env,
            stdout=(self.workdir / log_name).open(mode),
            stderr=subprocess.STDOUT,
        )
        self.launches[process] = launch
        return process

    def _credentials(self) -> Path:
        if not self.channels:
            return ROOT / "credentials.yml"
        path = self.workdir / "credentials.yml"
        path.write_text("".join(f"{channel}:\n" for channel in self.channels))
        return path

    def _rasa_server(
        self, port: int, name: str, env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        args = [
            str(BIN / "python"),
            "-m",
            "rasa_addons.rasa_server",
            "--port",
            str(port),
            "--model",
            str(MODEL),
            "--endpoints",
            str(ROOT / "endpoints.yml"),
            "--credentials",
            str(self._credentials()),
        ]
        health = self.api("/status", f"http://127.0.0.1:{port}")
        server = self._spawn(Launch(args, self._env(env), health), f"{name}.log")
        self.processes.append(server)
        return server

    def start_action_server(self, log_name: str = "actions.log") -> subprocess.Popen[bytes]:
        """Start the action server on ``action_port`` (not yet waited for)."""
        args = [str(BIN / "python"), "-m", "rasa_addons.action_server"]
        args += ["--port", str(self.action_port), "--actions", "actions"]
        health = f"http://127.0.0.1:{self.action_port}/health"
        return self._spawn(Launch(args, self._env(), health), log_name)

    def wait_for_action_server(
        self, process: subprocess.Popen[bytes], log_name: str = "actions.log"
    ) -> None:
        wait_for(f"http://127.0.0.1:{self.action_port}/health", process, self.workdir / log_name)

    def add_rasa_server(self, env: Mapping[str, str] | None = None, name: str = "") -> str:
        """Start one more Rasa server sharing database, locks and action server; its URL.

        ``env`` is its own extra environment; ``name`` its log's (default ``rasa-<port>``).
        """
        url, server, log = self._spawn_more(env, name)
        wait_for(self.api("/status", url), server, log)
        self.extra_urls.append(url)
        return url

    def _spawn_more(
        self, env: Mapping[str, str] | None, name: str
    ) -> tuple[str, subprocess.Popen[bytes], Path]:
        """Start one more Rasa server, not waited for: its URL, process and log."""
        port = free_port()
        name = name or f"rasa-{port}"
        server = self._rasa_server(port, name, env)
        return f"http://127.0.0.1:{port}", server, self.workdir / f"{name}.log"

    def restart(self, index: int) -> subprocess.Popen[bytes]:
        """Start ``processes[index]`` again as it was started, as a supervisor would.

        Kills it first if it still runs; waits until it serves. Its output goes to
        ``restarted-<index>.log``.
        """
        old = self.processes[index]
        if old.poll() is None:
            old.kill()
        old.wait(10)
        launch = self.launches[old]
        log_name = f"restarted-{index}.log"
        process = self._spawn(launch, log_name, "ab")
        self.processes[index] = process
        wait_for(launch.health, process, self.workdir / log_name)
        return process

    def start(self) -> Stack:
        if not MODEL.exists():
            raise RuntimeError(
                f"no trained model at {MODEL}: run `make model` (make test does it first)"
            )
        if self.demo_clients:
            apply_demo_clients(self.database_url)
        try:
            self._start_servers()
        except BaseException:
            # A server that did not come up must not outlive the test run, also when
            # the caller's clean-up only covers a stack that started.
            self.stop()
            raise
        return self

    def _start_servers(self) -> None:
        actions = self.start_action_server()
        self.processes.append(actions)
        server = self._rasa_server(self.rasa_port, "rasa", self.rasa_env)
        # Started before any is waited for: each spends its start-up importing and
        # loading the model on its own, so they share the machine's cores.
        more = [self._spawn_more(env, name) for name, env in self.more_rasa]
        self.wait_for_action_server(actions)
        wait_for(self.api("/status"), server, self.workdir / "rasa.log")
        for url, process, log in more:
            wait_for(self.api("/status", url), process, log)
            self.extra_urls.append(url)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def say(self, sender: str, message: str, url: str | None = None) -> list[dict[str, Any]]:
        """Send one message over the REST channel; returns the bot's messages."""
        return rest_say(url or self.url, sender, message)

    def agent_says(
        self, conversation_id: str, text: str, channel: str, url: str | None = None
    ) -> int:
        """Agent Sanne's message to the tenant through Rasa's API, as the console sends it.

        Returns the HTTP status; ``channel`` is the output channel the tenant is on.
        """
        status, _ = post_json(
            self.api(
                f"/conversations/{conversation_id}/tracker/events",
                url,
                output_channel=channel,
                execute_side_effects="true",
            ),
            [{"event": "bot", "text": text, "metadata": {"from": "agent", "agent": AGENT}}],
        )
        return status


def webchat_session(base_url: str) -> str:
    """A new web chat session on the demo corporation's site, as the widget opens one."""
    status, body = post_json(f"{base_url}/webhooks/webchat/session", {"site_key": DEMO_SITE_KEY})
    assert status == 200, body
    return str(body["session_id"])


def rest_say(base_url: str, sender: str, message: str) -> list[dict[str, Any]]:
    """One message over the REST channel of the Rasa server at ``base_url``; its answers."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        return list(json.loads(response.read()))


def webchat_send(base_url: str, session_id: str, text: str) -> None:
    """The tenant types ``text`` in the web chat (the answers come as events: read_events)."""
    status, body = post_json(
        f"{base_url}/webhooks/webchat/message",
        {"session_id": session_id, "site_key": DEMO_SITE_KEY, "text": text},
    )
    assert status == 200, body


def read_events(
    base_url: str, session_id: str, *, after: str | None = None, want: int = 1, timeout: float = 20
) -> list[tuple[str, dict[str, Any]]]:
    """Read the web chat's server-sent events until ``want`` messages arrived (or time runs out)."""
    parts = urlsplit(base_url)
    query = {"session_id": session_id, **({"after": after} if after else {})}
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=timeout
    )
    connection.request("GET", f"/webhooks/webchat/events?{urlencode(query)}")
    reply = connection.getresponse()
    assert reply.status == 200, reply.read()
    received: list[tuple[str, dict[str, Any]]] = []
    entry_id = ""
    deadline = time.monotonic() + timeout
    try:
        while len(received) < want and time.monotonic() < deadline:
            try:
                line = reply.readline().decode()
            except TimeoutError:
                break
            if not line:
                break
            if line.startswith("id: "):
                entry_id = line[4:].strip()
            elif line.startswith("data: "):
                received.append((entry_id, json.loads(line[6:])))
    finally:
        connection.close()
    return received


def post_json(url: str, body: Any) -> tuple[int, Any]:
    """POST JSON; returns (status, parsed body) also for 4xx answers."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
