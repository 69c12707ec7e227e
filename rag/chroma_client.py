"""Opening Chroma: a store folder on this machine or a Chroma server at a URL, with errors that say which could
not be opened and how to fix it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rag.errors import StoreError

_SQLITE = "chroma.sqlite3"


def open_collection(path: Path, url: str, name: str, manifest: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(client, its Chroma settings, the collection `name`): embedded in `path`, or on the server at `url`; a new
    collection is created with `manifest` as its metadata."""
    where = url or str(path)
    if not url:
        _check_directory(path)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    try:
        path.mkdir(parents=True, exist_ok=True)
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if url:
            client = _http_client(url, chroma_settings)
        else:
            client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        collection = client.get_or_create_collection(
            name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata=dict(manifest),
        )
    except StoreError:
        raise
    except Exception as exc:  # chromadb raises many kinds; all mean the same to the user
        if url:
            raise StoreError(
                f"cannot reach the Chroma server at {url} ({type(exc).__name__}); start one with: chroma run "
                "--path DIR --host 127.0.0.1 --port 8000, or unset RAG_CHROMA_URL to use the local store"
            ) from None
        raise StoreError(f"{where}: cannot open the Chroma store ({type(exc).__name__}: {exc})") from None
    return client, chroma_settings, collection


def _http_client(url: str, chroma_settings):
    """A client for the Chroma server at an http(s)://host:port URL."""
    from urllib.parse import urlparse

    import chromadb

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise StoreError(f"RAG_CHROMA_URL={url!r} is not a server address; write it like http://127.0.0.1:8000")
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    return chromadb.HttpClient(host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=chroma_settings)


def _check_directory(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} is a file, not a store directory; set RAG_STORE (or --store) to a directory")
    if path.is_dir() and not (path / _SQLITE).exists():
        foreign = [p.name for p in path.iterdir() if not p.name.startswith(".")]
        if foreign:
            raise StoreError(
                f"{path} is not a rag store (it holds {', '.join(sorted(foreign)[:3])}… but no {_SQLITE}); "
                "point RAG_STORE (or --store) at an empty or new directory"
            )
