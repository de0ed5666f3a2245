"""The scaled-out deployment, end to end (issue 16).

deploy/scale.sh starts two Daphne processes behind HAProxy on PostgreSQL and Redis, and
bench/workshop.py drives a small version of every scenario through HAProxy's port with real
HTTP and WebSocket traffic: a join storm (CSRF, session cookies), a breakout start (the
facilitator's real login and POSTs, every page moving to its room), one Daphne process killed
with SIGKILL mid-breakout (clients reconnect through HAProxy and resend), and steady load.
It fails on any error page, any acked op missing from the database or stored twice, and any
lost or duplicated event.

CI runs the suite twice; this runs in the pass with PostgreSQL and Redis (DATABASE_URL,
REDIS_URL). There, a missing HAProxy fails the test instead of skipping it.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "deploy" / "scale.sh"
PARTICIPANTS = 200


def haproxy_binary():
    return shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists()
                                       else None)


def needs_haproxy():
    binary = haproxy_binary()
    if binary is None:
        reason = "HAProxy is not installed (apt-get install haproxy; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"the scale test must run in CI: {reason}")
        pytest.skip(reason)
    return binary


def script(*args, **env):
    return subprocess.run(
        [str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHON": sys.executable, **env},
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"N": "0"}, "N must be a whole number"),
        ({"N": "two"}, "N must be a whole number"),
        ({"PORT": "80a"}, "PORT must be"),
        ({"DATABASE_URL": "sqlite:///x.db"}, "DATABASE_URL must be a PostgreSQL URL"),
        ({"REDIS_URL": "memory://"}, "REDIS_URL must start with redis://"),
    ],
)
def test_scale_script_refuses_bad_settings_with_a_clear_message(env, message, tmp_path):
    result = script("start", STATE_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert message in result.stderr
    assert not list(tmp_path.glob("*.pid"))  # nothing was started


def test_scale_script_without_a_command_prints_its_usage():
    result = script()
    assert result.returncode == 2
    assert "deploy/scale.sh start" in result.stdout


def test_rendered_haproxy_config_balances_every_process_and_haproxy_accepts_it(tmp_path):
    result = script("render", "3", BASE_PORT="9100")
    assert result.returncode == 0, result.stderr
    config = result.stdout
    for i in (1, 2, 3):
        assert f"server d{i} 127.0.0.1:{9100 + i} check\n" in config
        assert f"server d{i} 127.0.0.1:{9100 + i} track pages/d{i}\n" in config
    assert "server d4" not in config
    assert config.count("balance leastconn") == 2
    assert "uri /healthz" in config
    directives = [line.split()[0] for line in config.splitlines()
                  if line.strip() and not line.lstrip().startswith("#")]
    assert not {"cookie", "stick", "stick-table", "hash-type"} & set(directives)  # no stickiness
    binary = needs_haproxy()
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    checked = subprocess.run(
        [binary, "-c", "-q", "-f", str(path)], capture_output=True, text=True, timeout=30,
        env={**os.environ, "RT_BIND": "127.0.0.1:1", "RT_STATS_BIND": "127.0.0.1:2",
             "RT_HAPROXY_SOCKET": str(tmp_path / "s"), "RT_HAPROXY_THREADS": "1",
             "RT_FORWARDED_PROTO": "http", "RT_MAXCONN": "100", "RT_PAGE_SLOTS": "4"},
    )
    assert checked.returncode == 0, checked.stderr


needs_services = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    or not os.environ.get("REDIS_URL"),
    reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL; CI's second pass sets both",
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_block(count):
    """A base port whose next `count` ports are free."""
    for _ in range(100):
        base = free_port()
        try:
            for i in range(1, count + 1):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", base + i))
        except OSError:
            continue
        return base
    raise RuntimeError("no free block of loopback ports")


def haproxy_sees(env):
    status = script("status", **env).stdout
    return dict(line.split()[2:4] for line in status.splitlines()
                if line.startswith("haproxy sees"))


@pytest.mark.scale
@needs_services
def test_haproxy_takes_a_process_failing_healthz_out_of_rotation_and_back(tmp_path):
    needs_haproxy()
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + (
        os.environ["DATABASE_URL"].rsplit("/", 1)[1] + "_scale")
    port = free_port()
    env = {"N": "2", "PORT": str(port), "BASE_PORT": str(free_block(2)),
           "STATS_PORT": str(free_port()), "STATE_DIR": str(tmp_path),
           "DATABASE_URL": url, "REDIS_PREFIX": f"scaletest{os.getpid()}"}
    started = subprocess.run([str(SCRIPT), "start"], cwd=ROOT, capture_output=True, text=True,
                             timeout=180, env={**os.environ, "PYTHON": sys.executable, **env})
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert haproxy_sees(env) == {"d1": "UP", "d2": "UP"}
        frozen = int((tmp_path / "daphne-1.pid").read_text())
        os.kill(frozen, signal.SIGSTOP)  # alive but unable to answer /healthz
        try:
            deadline = time.monotonic() + 15
            while haproxy_sees(env).get("d1") != "DOWN" and time.monotonic() < deadline:
                time.sleep(0.3)
            assert haproxy_sees(env) == {"d1": "DOWN", "d2": "UP"}
            for _ in range(6):  # every request is served by the healthy process
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    assert r.status == 200
        finally:
            os.kill(frozen, signal.SIGCONT)
        deadline = time.monotonic() + 15
        while haproxy_sees(env).get("d1") != "UP" and time.monotonic() < deadline:
            time.sleep(0.3)
        assert haproxy_sees(env) == {"d1": "UP", "d2": "UP"}
    finally:
        stopped = script("stop", **env)
        assert stopped.returncode == 0, stopped.stderr
        assert not list(tmp_path.glob("*.pid"))


@pytest.mark.scale
@needs_services
def test_workshop_scenarios_through_haproxy_lose_nothing(tmp_path):
    needs_haproxy()
    out = tmp_path / "results.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "workshop.py"),
         "--participants", str(PARTICIPANTS), "--processes", "2", "--join-window", "8",
         "--duration", "8", "--no-floor", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
        env={**os.environ, "PYTHON": sys.executable},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    runs = json.loads(out.read_text())
    r = runs["2"]

    join = r["join"]
    assert join["joined"] == PARTICIPANTS
    assert join["errors"] == {}

    breakout = r["breakout"]
    assert breakout["errors"] == {}
    assert breakout["to_room_live"]["n"] == PARTICIPANTS
    # Every lobby became its room over its own socket: no page load, no new socket.
    assert breakout["to_room_page"]["n"] == PARTICIPANTS
    assert breakout["page_loads"] == 0 and breakout["fallback_reloads"] == 0

    kill = r["kill"]
    assert kill["disconnected"] > 0  # the killed process really held sockets
    assert kill["db"]["acked"] > 0
    assert kill["db"]["lost"] == 0
    assert kill["db"]["duplicated"] == 0
    assert kill["unacked_at_end"] == 0
    assert kill["live_again"]["n"] == kill["disconnected"]

    steady = r["steady"]
    assert steady["delivered"] == steady["expected"] > 0
    assert steady["lost"] == 0
    assert steady["duplicated"] == 0
