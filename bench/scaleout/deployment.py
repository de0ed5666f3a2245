"""The deployment: N Daphne processes behind HAProxy, started and stopped with
deploy/scale.sh on free loopback ports, and the CPU seconds its processes (and the shared
PostgreSQL and Redis) use between two marks."""

import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import rooms as roomsbench

from . import ROOT


def free_block(count):
    """Returns a base port with base+1 … base+count free on loopback."""
    for _ in range(200):
        base = random.randint(20000, 30000)  # noqa: S311
        if all(_port_free(base + i) for i in range(1, count + 1)):
            return base
    raise RuntimeError("no block of free loopback ports")


def _port_free(port):
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Deployment:
    """N Daphne processes behind HAProxy, started and stopped with deploy/scale.sh."""

    def __init__(self, processes, workdir, database_url, redis_url, haproxy_instances=1):
        self.processes = processes
        self.state_dir = workdir / f"scale-{processes}"
        self.port = roomsbench.free_port()
        self.env = {
            **os.environ,
            "N": str(processes),
            "PORT": str(self.port),
            "BASE_PORT": str(free_block(processes)),
            "STATS_PORT": str(free_block(haproxy_instances) + 1),
            "HAPROXY_INSTANCES": str(haproxy_instances),
            "STATE_DIR": str(self.state_dir),
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REDIS_PREFIX": f"bench{os.getpid()}x{processes}",
            "PYTHON": sys.executable,
        }
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_base = f"ws://127.0.0.1:{self.port}"

    def script(self, command):
        result = subprocess.run(
            [str(ROOT / "deploy" / "scale.sh"), command], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"scale.sh {command} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def start(self):
        return self.script("start")

    def stop(self):
        return self.script("stop")

    def app_env(self):
        """The environment of a Django process of this deployment (setup and checks)."""
        secret = (self.state_dir / "secret_key").read_text().strip()
        env = {**self.env, "DEBUG": "0", "SECRET_KEY": secret,
               "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0",
               "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING"}
        env.pop("ROUNDTABLE_TESTING", None)
        return env

    def pids(self):
        """Returns {"daphne-1": pid, …, "haproxy-1": pid} of the live processes."""
        found = {}
        for path in sorted(self.state_dir.glob("*.pid")):
            try:
                pid = int(path.read_text())
                os.kill(pid, 0)
            except (OSError, ValueError):
                continue
            found[path.stem] = pid
        return found

    def kill(self, name):
        pid = self.pids()[name]
        os.kill(pid, signal.SIGKILL)
        return pid


def cpu_seconds(pid):
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, IndexError, ValueError):
        return None


def service_pids():
    """PostgreSQL and Redis server processes on this machine (shared; for CPU figures)."""
    found = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if name.startswith("postgres"):
            found["postgresql (all)"].append(int(entry.name))
        elif name.startswith("redis-server"):
            found["redis (all)"].append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds of each deployment process (and the shared services) between two marks."""

    def __init__(self, deployment):
        self.deployment = deployment
        self.marks = []

    def snapshot(self):
        values = {name: cpu_seconds(pid) for name, pid in self.deployment.pids().items()}
        for name, pids in service_pids().items():
            values[name] = sum(cpu_seconds(pid) or 0 for pid in pids)
        values["load generator"] = sum(os.times()[:2])
        return time.monotonic(), values

    def mark(self):
        self.marks.append(self.snapshot())
        return sum(v for k, v in self.marks[-1][1].items()
                   if k.startswith("daphne") and v is not None)

    def percent(self, first=0, last=-1):
        """Returns {process: % of one core} between two marks."""
        (t0, a), (t1, b) = self.marks[first], self.marks[last]
        wall = max(t1 - t0, 1e-9)
        return {name: 100 * (b[name] - a[name]) / wall
                for name in b if a.get(name) is not None and b[name] is not None}
