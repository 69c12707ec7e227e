"""Generators: a chat model that streams text. llama.cpp in-process (local) or any OpenAI-compatible server.

The extractive answerer needs no Generator; the Assistant uses it when RAG_LLM=extractive and as the fallback
when a Generator fails. Both generators decode greedily so the same question gets the same answer.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from pathlib import Path
from typing import Iterator, Protocol

from rag.errors import ConfigError, GenerationError

Messages = list[dict[str, str]]


class Generator(Protocol):
    name: str

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        """Text pieces as the model produces them; raises GenerationError when it cannot answer."""
        ...


def generate(generator: Generator, messages: Messages, max_tokens: int) -> str:
    return "".join(generator.stream(messages, max_tokens))


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# One llama.cpp model per file and settings per process: loading the 1.5B model takes seconds and a gigabyte.
_LOADED: dict[tuple, tuple[object, threading.Lock]] = {}  # (path, n_ctx, threads) -> (server, lock)
_LOAD_LOCK = threading.Lock()


class LocalGenerator:
    """llama.cpp (the xllamacpp binding) running a GGUF file in this process, bound to 127.0.0.1 only."""

    def __init__(self, model: str | Path, cache_dir: Path | None = None, n_ctx: int = 4096, threads: int = 0) -> None:
        """`model` is a packaged model's name or a .gguf path; it is found (or assembled) and loaded on first use,
        so building an Assistant to ingest or search costs nothing."""
        self.model = str(model)
        self.cache_dir = cache_dir
        self.n_ctx = n_ctx
        self.threads = threads or available_cores()
        self.name = f"local:{Path(self.model).name}"

    def load(self, progress: bool = True):
        """The running model and its lock, loaded once per process (a packaged model is joined on first use).

        llama.cpp answers one request at a time here: a second caller, from any Assistant in the process,
        waits for the lock instead of evicting the cached prompt prefix."""
        from rag.models import resolve_model

        path = resolve_model(self.model, self.cache_dir, progress)
        key = (str(path), self.n_ctx, self.threads)
        with _LOAD_LOCK:
            if key not in _LOADED:
                _LOADED[key] = (_start_llama(path, self.n_ctx, self.threads), threading.Lock())
            return _LOADED[key]

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        server, busy = self.load()
        pieces: queue.Queue = queue.Queue()
        stop = threading.Event()
        done = object()

        def on_chunk(chunk) -> bool:
            if isinstance(chunk, (str, bytes)):
                chunk = json.loads(chunk)
            pieces.put(chunk)
            return stop.is_set()  # True asks llama.cpp to stop generating

        def run() -> None:
            try:
                server.handle_chat_completions(
                    {
                        "messages": messages, "max_tokens": max_tokens, "stream": True, "cache_prompt": True,
                        "temperature": 0.0, "top_k": 1, "seed": 0,
                    },
                    on_chunk,
                )
            except Exception as exc:  # the binding raises plain exceptions; the caller gets one GenerationError
                pieces.put(GenerationError(f"llama.cpp failed on {self.name}: {exc}"))
            finally:
                pieces.put(done)

        with busy:
            worker = threading.Thread(target=run, name="llama.cpp", daemon=True)
            worker.start()
            try:
                while (chunk := pieces.get()) is not done:
                    if isinstance(chunk, GenerationError):
                        raise chunk
                    if "error" in chunk:
                        raise GenerationError(f"llama.cpp refused the request: {_error_text(chunk['error'])}")
                    yield from _delta_texts(chunk)
            finally:
                stop.set()
                worker.join()


def _start_llama(model_path: Path, n_ctx: int, threads: int):
    try:
        import xllamacpp
    except ImportError:
        raise ConfigError("the local LLM needs xllamacpp: pip install 'rag[local]' (or set RAG_LLM=extractive)") from None
    params = xllamacpp.CommonParams()
    params.model.path = str(model_path)
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = ["127.0.0.1"]  # the binding always serves HTTP too; never beyond this machine
    params.port = 0
    params.warmup = False
    params.verbosity = 0  # llama.cpp logs every request to stderr otherwise; failures still raise
    try:
        return xllamacpp.Server(params)
    except Exception as exc:
        raise GenerationError(f"llama.cpp could not load {model_path}: {exc}") from None


class OpenAIGenerator:
    """Any server speaking OpenAI's chat-completions API with streaming: OpenAI, vLLM, Ollama, llama.cpp."""

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout: float = 120.0, retries: int = 2) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"RAG_OPENAI_BASE_URL={base_url!r} must start with http:// or https://")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.name = f"openai:{model}"

    def stream(self, messages: Messages, max_tokens: int) -> Iterator[str]:
        import httpx
        from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

        body = {"model": self.model, "messages": messages, "max_tokens": max_tokens, "temperature": 0,
                "stream": True}
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        timeout = httpx.Timeout(self.timeout, connect=min(10.0, self.timeout))
        # Only opening the response is tried again (after 0.5 s, 1 s, 2 s, ...), never a stream already under way.
        retrying = Retrying(retry=retry_if_exception(_worth_retrying), stop=stop_after_attempt(self.retries + 1),
                            wait=wait_exponential(multiplier=0.5), reraise=True)
        try:
            with httpx.Client(timeout=timeout) as client:
                request = client.build_request("POST", self.url, json=body, headers=headers)
                response = retrying(_send, client, request, self.url)
                try:
                    yield from _server_sent_texts(response.iter_lines(), self.url)
                finally:
                    response.close()
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise GenerationError(
                f"cannot reach the LLM server at {self.url} ({exc}); start it or set RAG_OPENAI_BASE_URL"
            ) from None
        except httpx.TimeoutException:
            raise GenerationError(
                f"the LLM server at {self.url} did not answer within {self.timeout:g} s (RAG_LLM_TIMEOUT)"
            ) from None
        except httpx.HTTPError as exc:
            raise GenerationError(f"the LLM server at {self.url} failed: {exc}") from None


# A server that is rate-limiting or briefly failing may answer the same request a moment later.
_RETRIED_STATUSES = (429, 500, 502, 503, 504)


class _StatusError(GenerationError):
    """The LLM server answered with an error status instead of a stream."""

    def __init__(self, url: str, status: int, text: str) -> None:
        super().__init__(f"the LLM server at {url} answered HTTP {status}: {_error_text(_json_or_text(text))}")
        self.status = status


def _send(client, request, url: str):
    """The server's streaming response, open; raises _StatusError when it is not 200."""
    response = client.send(request, stream=True)
    if response.status_code != 200:
        response.read()
        response.close()
        raise _StatusError(url, response.status_code, response.text)
    return response


def _worth_retrying(exc: BaseException) -> bool:
    import httpx

    if isinstance(exc, _StatusError):
        return exc.status in _RETRIED_STATUSES
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))


def _server_sent_texts(lines: Iterator[str], url: str) -> Iterator[str]:
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            chunk = json.loads(data)
        except json.JSONDecodeError:
            raise GenerationError(f"the LLM server at {url} sent a line that is not JSON: {data[:80]!r}") from None
        if "error" in chunk:
            raise GenerationError(f"the LLM server at {url} failed: {_error_text(chunk['error'])}")
        yield from _delta_texts(chunk)


def _delta_texts(chunk: dict) -> Iterator[str]:
    for choice in chunk.get("choices") or ():
        text = (choice.get("delta") or {}).get("content")
        if text:
            yield text


def _json_or_text(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text[:200]


def _error_text(error) -> str:
    if isinstance(error, dict):
        error = error.get("error", error)
        if isinstance(error, dict):
            return str(error.get("message") or error)
    return str(error)
