"""Shared fixtures: the real packaged embedder (loaded once), the seed articles, and temporary stores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.embed import SentenceTransformerEmbedder
from rag.factory import build_assistant
from rag.ingest import SEEDS_DIR
from rag.settings import Settings

MINSK_QUESTION = "To which city was Moscow ready to send its foreign and defense ministers for talks?"
SEED_000 = "000_4e9f5e3cc2b14ad2"
SEED_003 = "003_54a506a86ad83a73"


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory):
    """Packaged models are joined from their installed parts into a fresh folder once per test run, so every
    run proves the join and its checks; nothing from an earlier run is trusted."""
    from rag import models

    folder = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(models, "default_cache_dir", lambda: folder)
        yield folder


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


def copy_seeds(folder: Path) -> Path:
    """A copy of the bundled seed articles in `folder`: the user's own articles, not the demo ones (which leave
    the store with the first ingest of anything else)."""
    shutil.copytree(SEEDS_DIR, folder)
    return folder


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private, writable copy of the bundled seed articles."""
    return copy_seeds(tmp_path / "seeds")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=tmp_path / "store", llm="extractive")


@pytest.fixture
def assistant(settings: Settings, embedder) -> Assistant:
    """An Assistant over an empty temporary store."""
    return build_assistant(settings, embedder=embedder, seed_if_empty=False)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, embedder) -> Assistant:
    """An Assistant whose temporary store holds the seed articles; shared by read-only tests."""
    store = tmp_path_factory.mktemp("seeded") / "store"
    return build_assistant(Settings(store=store, llm="extractive"), embedder=embedder)


def write_articles(folder: Path, articles: list[dict]) -> Path:
    """The articles as one JSONL file in `folder` (created if need be), one article per line."""
    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return corpus
