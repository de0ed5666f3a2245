"""static/js/live.js — the shared socket module — unit-tested in Node with a fake WebSocket."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_live_js_orders_events_syncs_on_gaps_and_keeps_an_outbox():
    if shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js must be installed in CI (apt-get install nodejs)")
        pytest.skip("Node.js is not installed")
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "js" / "live_test.mjs")],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not ok" not in result.stdout
