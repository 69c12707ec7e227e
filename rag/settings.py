"""One Settings object, read from RAG_* environment variables (or given directly), validated once."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import field
from pathlib import Path
from typing import Any

from pydantic import ValidationError, model_validator
from pydantic.dataclasses import dataclass

from rag.errors import ConfigError

ENV_PREFIX = "RAG_"
LLM_CHOICES = ("auto", "local", "openai", "extractive")
RETRIEVAL_CHOICES = ("dense", "hybrid", "bm25")


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


# A pydantic dataclass: every construction, dataclasses.replace() included, converts and checks the field types
# before __post_init__ checks the ranges.
@dataclass(frozen=True)
class Settings:
    store: Path = _setting(Path("store"), "directory of the persistent Chroma store")
    collection: str = _setting("articles", "Chroma collection holding the chunks")
    chroma_url: str = _setting(
        "", "a Chroma server (http://host:port) instead of the local store; RAG_STORE then holds caches"
    )
    chunk_size: int = _setting(200, "chunk length in tokens (all-MiniLM-L6-v2 reads at most 256)")
    chunk_overlap: int = _setting(30, "tokens shared by neighbouring chunks")
    embed_batch: int = _setting(32, "chunks embedded per batch")
    max_document_mb: float = _setting(10.0, "largest article ingested (a file, or one JSONL record), in MB")
    top_k: int = _setting(4, "passages retrieved per question")
    retrieval: str = _setting("hybrid", "how passages are found: hybrid (words and meaning), dense (meaning) or bm25")
    dense_weight: float = _setting(1.0, "weight of the meaning (vector) ranking in hybrid fusion")
    bm25_weight: float = _setting(1.0, "weight of the word (BM25) ranking in hybrid fusion")
    article_weight: float = _setting(
        0.04,
        "added to a chunk's fused score per unit of its article's title and first-passage cosine, when the "
        "candidates come from 8 articles or more (0: never)",
    )
    phrase_weight: float = _setting(
        0.05,
        "added to a chunk's fused score per unit of the question's phrases (adjacent content-word pairs) its title "
        "and text hold, when the candidates come from 8 articles or more (0: never)",
    )
    recency_weight: float = _setting(1.0, "with an as-of date: boost of an article published that day (0: none)")
    recency_days: float = _setting(30.0, "with an as-of date: days over which that boost fades to about a third")
    stale_days: int = _setting(
        30, "warn when the newest article an answer cites is this many days older than the day asked (0: never)"
    )
    min_score: float = _setting(0.30, "refuse when the best passage's cosine similarity is below this")
    min_sentence_score: float = _setting(0.35, "extractive answers only quote sentences scoring at least this")
    model_question_share: float = _setting(
        0.35,
        "withhold a model answer whose quotes hold less than this share of the question's words (or words of like "
        "meaning), unless one reads as close as a paraphrase (0: never)",
    )
    model_judge: bool = _setting(
        True,
        "ask the model yes or no whether a checked answer's quotes (and those of articles giving another figure or "
        "day) say the answer, when the candidates come from 8 articles or more, and withhold the answer on a no",
    )
    llm: str = _setting(
        "auto", "answer generator: auto, local, openai or extractive (auto: local when its model is installed)"
    )
    model: str = _setting("qwen2.5-coder-1.5b", "local model: a packaged model's name or a .gguf file path")
    model_cache: str = _setting("", "where packaged models are assembled (empty: ~/.cache/rag/models)")
    n_ctx: int = _setting(4096, "local model context window, in tokens")
    threads: int = _setting(0, "CPU threads for the local model (0: every core this process may use)")
    max_tokens: int = _setting(200, "longest answer generated, in tokens")
    prompt_words: int = _setting(40, "passage words the model reads per question (the best sentences)")
    second_look_words: int = _setting(
        80, "when the model's checked answer lacks the count, date or name asked for, it reads this many passage "
        "words and answers once more (0, or no more than RAG_PROMPT_WORDS: never)",
    )
    openai_base_url: str = _setting("http://127.0.0.1:8080/v1", "OpenAI-compatible server for RAG_LLM=openai")
    openai_api_key: str = _setting("", "API key for that server (empty: none sent)")
    openai_model: str = _setting("default", "model name sent to that server")
    llm_timeout: float = _setting(120.0, "seconds to wait for the LLM server before giving up")
    max_question_chars: int = _setting(2000, "longest question accepted, in characters")
    ui_host: str = _setting("127.0.0.1", "address the chat page binds (127.0.0.1: this machine only)")
    ui_port: int = _setting(7860, "port of the chat page")
    ui_auth: str = _setting("", "user:password the chat page asks for (empty: no login)")
    ui_share: bool = _setting(False, "also publish the chat page through a public Gradio share link")
    uploads: Path = _setting(Path("uploads"), "folder the chat page keeps uploaded articles in")
    ui_readonly: bool = _setting(False, "the chat page answers but hides adding and deleting articles (a shared page)")

    def __post_init__(self) -> None:
        if self.chunk_size < 32:
            raise ConfigError(f"RAG_CHUNK_SIZE={self.chunk_size} is too small; use 32 or more (default 200)")
        if not 0 <= self.chunk_overlap < self.chunk_size // 2:
            raise ConfigError(
                f"RAG_CHUNK_OVERLAP={self.chunk_overlap} must be at least 0 and below half of "
                f"RAG_CHUNK_SIZE ({self.chunk_size})"
            )
        if self.max_document_mb <= 0:
            raise ConfigError(f"RAG_MAX_DOCUMENT_MB={self.max_document_mb} must be a positive number of megabytes")
        if self.embed_batch < 1:
            raise ConfigError(f"RAG_EMBED_BATCH={self.embed_batch} must be 1 or more")
        if not 1 <= self.top_k <= 100:
            raise ConfigError(f"RAG_TOP_K={self.top_k} must be between 1 and 100")
        if not 0.0 <= self.model_question_share <= 1.0:
            raise ConfigError(f"RAG_MODEL_QUESTION_SHARE={self.model_question_share} must be a share between 0 and 1")
        for name in ("min_score", "min_sentence_score"):
            value = getattr(self, name)
            if not -1.0 <= value <= 1.0:
                raise ConfigError(f"RAG_{name.upper()}={value} must be a cosine similarity between -1 and 1")
        if self.retrieval not in RETRIEVAL_CHOICES:
            raise ConfigError(f"RAG_RETRIEVAL={self.retrieval!r} is not one of: {', '.join(RETRIEVAL_CHOICES)}")
        for name in ("dense_weight", "bm25_weight", "article_weight", "phrase_weight", "recency_weight"):
            if getattr(self, name) < 0:
                raise ConfigError(f"RAG_{name.upper()}={getattr(self, name)} must be 0 or more")
        if self.recency_days <= 0:
            raise ConfigError(f"RAG_RECENCY_DAYS={self.recency_days} must be a positive number of days")
        if self.llm not in LLM_CHOICES:
            raise ConfigError(f"RAG_LLM={self.llm!r} is not one of: {', '.join(LLM_CHOICES)}")
        for name, low in (("n_ctx", 512), ("threads", 0), ("max_tokens", 16), ("prompt_words", 20), ("stale_days", 0),
                          ("second_look_words", 0)):
            if getattr(self, name) < low:
                raise ConfigError(f"RAG_{name.upper()}={getattr(self, name)} must be {low} or more")
        if self.llm_timeout <= 0:
            raise ConfigError(f"RAG_LLM_TIMEOUT={self.llm_timeout} must be a positive number of seconds")
        if not 1 <= self.ui_port <= 65535:
            raise ConfigError(f"RAG_UI_PORT={self.ui_port} must be a port number between 1 and 65535")
        if self.ui_auth and (":" not in self.ui_auth or not all(self.ui_auth.split(":", 1))):
            raise ConfigError("RAG_UI_AUTH must look like user:password (both non-empty), or be unset for no login")
        if self.max_question_chars < 10:
            raise ConfigError(f"RAG_MAX_QUESTION_CHARS={self.max_question_chars} must be 10 or more")

    @classmethod
    def from_env(cls, **overrides: Any) -> "Settings":
        """Settings from RAG_* variables, then `overrides` (e.g. from CLI flags) on top."""
        try:
            read = _environment()(**{k: v for k, v in overrides.items() if v is not None})
        except ValidationError as error:
            raise _config_error(error) from None
        values = {f.name: getattr(read, f.name) for f in dataclasses.fields(cls)}
        for name in ("store", "uploads"):
            values[name] = values[name].expanduser()
        return cls(**values)

    def describe(self) -> list[tuple[str, str, str]]:
        """(environment variable, current value, meaning) for every setting, for `doctor` and the README."""
        return [
            (ENV_PREFIX + f.name.upper(), _shown(f.name, getattr(self, f.name)), f.metadata["help"])
            for f in dataclasses.fields(self)
        ]


def _shown(name: str, value: Any) -> str:
    if (name.endswith("api_key") or name == "ui_auth") and value:
        return "(set)"  # never print a secret
    return str(value)


@functools.cache
def _environment() -> type:
    """Settings as pydantic-settings reads them from the RAG_* variables (imported on first use: it is slow)."""
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class Environment(BaseSettings, Settings):
        model_config = SettingsConfigDict(env_prefix=ENV_PREFIX)

        @model_validator(mode="before")
        @classmethod
        def as_written(cls, values: dict[str, Any]) -> dict[str, Any]:
            """A blank variable is unset and spaces around a value don't count."""
            values = {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}
            return {name: _yes_no(name, value) for name, value in values.items() if value != ""}

    return Environment


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _yes_no(name: str, value: Any) -> Any:
    """A yes/no setting written as one of _TRUE or _FALSE (pydantic alone would also take y, n, t and f)."""
    if not isinstance(value, str) or not isinstance(getattr(Settings, name, None), bool):
        return value
    if value.lower() not in _TRUE + _FALSE:
        raise ConfigError(f"{ENV_PREFIX}{name.upper()}={value!r} is not a yes/no value; use true or false")
    return value.lower() in _TRUE


def _config_error(error: ValidationError) -> ConfigError:
    """pydantic's report on the first value it could not convert, as one line naming the variable and the fix."""
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    if not any(f.name == name for f in dataclasses.fields(Settings)):
        return ConfigError(f"unknown setting {name!r}; `python -m rag doctor` lists every setting")
    default = getattr(Settings, name)
    return ConfigError(
        f"{ENV_PREFIX}{name.upper()}={first['input']!r} is not a valid {type(default).__name__}; "
        f"unset it or give e.g. {default}"
    )
