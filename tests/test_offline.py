"""Offline proof: ingest, ask (extractive and the local model) and the chat page, all inside a network namespace
with nothing but loopback, while an audit hook in every Python process logs each connect, send and name lookup.
Nothing may reach for anything but this machine: no model hub, no telemetry, no update check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED_000
from rag.ingest import SEEDS_DIR

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).with_name("offline_driver.py")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory, model_cache):
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("unshare (util-linux) and ip (iproute2) are needed to make a network namespace")
    out = tmp_path_factory.mktemp("offline")
    env = dict(os.environ, RAG_MODEL_CACHE=str(model_cache))
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--net", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"this kernel refuses an unprivileged network namespace: {probe.stderr.strip()[:200]}")
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--net", "sh", "-c",
         f'ip link set lo up && exec "{sys.executable}" "{DRIVER}" "{out}" "{SEEDS_DIR}"'],
        capture_output=True, text=True, env=env, timeout=1500,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def _result(out: Path, name: str) -> dict:
    result = json.loads((out / f"{name}.json").read_text())
    assert result["rc"] == 0, f"{name}: {result['stderr'][-2000:]}"
    return result


def test_the_namespace_really_has_no_network(tmp_path):
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--net", sys.executable, "-c",
         "import socket; socket.create_connection(('1.1.1.1', 443), timeout=5)"],
        capture_output=True, text=True, timeout=60,
    )
    if probe.returncode != 0 and "unshare failed" in probe.stderr:
        pytest.skip(f"this kernel refuses an unprivileged network namespace: {probe.stderr.strip()[:200]}")
    assert probe.returncode != 0 and "Network is unreachable" in probe.stderr


def test_ingest_and_both_answerers_work_with_no_network(offline_run):
    assert "2 added" in _result(offline_run, "ingest")["stdout"]
    for name in ("extractive", "local"):
        answer = json.loads(_result(offline_run, name)["stdout"])
        assert answer["refused"] is False and "Minsk" in answer["text"], (name, answer["text"])
        assert any(c["doc_id"] == SEED_000 and "Minsk" in c["quote"] for c in answer["citations"]), name


def test_the_chat_page_starts_and_serves_with_no_network(offline_run):
    app = json.loads((offline_run / "app.json").read_text())
    assert "<gradio-app" in app["page"] or "gradio" in app["page"].lower(), app["log"][-2000:]
    assert "Traceback" not in app["log"], app["log"][-2000:]


def test_no_process_reached_for_anything_but_loopback(offline_run):
    events = [json.loads(line) for line in (offline_run / "net.jsonl").read_text().splitlines()]
    watched = [e["host"] for e in events if e["event"] == "watching"]
    for command in ("rag ingest", "rag ask", "app.py", "offline_driver.py"):
        assert any(command in argv.replace("-m rag", "rag") for argv in watched), (command, watched)
    sockets = [e for e in events if e["event"] != "watching"]
    outside = [e for e in sockets if e["host"] not in LOOPBACK and not e["host"].startswith("unix:")]
    assert outside == []
    assert any(e["event"] == "socket.connect" and e["host"] == "127.0.0.1" for e in sockets)  # the page load was seen
