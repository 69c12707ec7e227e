"""Run by test_offline.py inside a network namespace that has only a loopback interface:

    offline_driver.py OUT SEEDS

runs what a user runs (`python -m rag ingest`, `ask` with the extractive answerer and with the local model,
`python app.py` and a page load) and writes each one's output under OUT. Every Python process it starts imports
OUT/site/sitecustomize.py, whose audit hook logs each socket connect, send and name lookup to OUT/net.jsonl
(after a "watching" line naming the process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "To which city was Moscow ready to send its foreign and defense ministers for talks?"
PORT = 7860  # a fresh namespace has every port free

AUDIT_HOOK = '''
import json, os, sys

_LOG = os.environ["RAG_NET_LOG"]
_EVENTS = ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname")


def _host(event, args):
    if event in ("socket.getaddrinfo", "socket.gethostbyname"):
        return str(args[0])
    address = args[1] if len(args) > 1 else None
    if isinstance(address, tuple):
        return str(address[0])
    return "unix:" + str(address)


def _audit(event, args):
    if event in _EVENTS:
        with open(_LOG, "a") as log:
            log.write(json.dumps({"pid": os.getpid(), "event": event, "host": _host(event, args)}) + "\\n")


sys.addaudithook(_audit)
with open(_LOG, "a") as log:  # proof that this process was watched
    log.write(json.dumps({"pid": os.getpid(), "event": "watching", "host": " ".join(sys.orig_argv)}) + "\\n")
'''


def run(out: Path, name: str, *args: str, **env: str) -> None:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=900,
                          env=dict(os.environ, **env))
    (out / f"{name}.json").write_text(json.dumps({"rc": done.returncode, "stdout": done.stdout, "stderr": done.stderr}))


def main(out: Path, seeds: Path) -> None:
    site = out / "site"
    site.mkdir(parents=True)
    (site / "sitecustomize.py").write_text(AUDIT_HOOK)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    os.environ["RAG_NET_LOG"] = str(out / "net.jsonl")
    os.environ["RAG_STORE"] = str(out / "store")
    exec(AUDIT_HOOK, {})  # this process's own page load is logged too

    run(out, "ingest", "-m", "rag", "ingest", str(seeds))
    run(out, "extractive", "-m", "rag", "ask", QUESTION, "--json", RAG_LLM="extractive")
    run(out, "local", "-m", "rag", "ask", QUESTION, "--json", RAG_LLM="local")

    app = subprocess.Popen([sys.executable, "app.py", "--port", str(PORT)], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, env=dict(os.environ, RAG_LLM="extractive"))
    page = ""
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and app.poll() is None and not page:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=5) as response:
                    page = response.read().decode("utf-8", "replace")
            except OSError:
                time.sleep(1)
    finally:
        app.terminate()
        log, _ = app.communicate(timeout=60)
    (out / "app.json").write_text(json.dumps({"page": page, "log": log}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
