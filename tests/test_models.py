"""Packaged models: parts joined once into the cache, checked, reused; bad input named in one line."""

import hashlib
import sys

import pytest

from rag.errors import ConfigError
from rag.models import PackagedModel, assemble, resolve_model

PARTS = [b"GGUF" + b"a" * 3000, b"b" * 5000, b"c" * 17]


@pytest.fixture
def packaged(tmp_path, monkeypatch):
    """A three-part model in importable modules, as the PyPI part packages are laid out."""
    for n, data in enumerate(PARTS, start=1):
        package = tmp_path / "site" / f"fakemodel_part{n}"
        package.mkdir(parents=True)
        (package / "part.bin").write_bytes(data)
        (package / "__init__.py").write_text(
            "from pathlib import Path\ndef get_part_path():\n    return str(Path(__file__).parent / 'part.bin')\n"
        )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    whole = b"".join(PARTS)
    yield PackagedModel("fake-1b", "fake.gguf", "fakemodel_part{n}", 3, len(whole), hashlib.sha256(whole).hexdigest(),
                        "'rag[fake]'")
    for n in range(1, 4):
        sys.modules.pop(f"fakemodel_part{n}", None)


def test_parts_are_joined_once_and_then_reused(packaged, tmp_path, monkeypatch):
    path = assemble(packaged, tmp_path / "cache", progress=False)
    assert path.read_bytes() == b"".join(PARTS) and path.name == "fake.gguf"
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["fake.gguf", "fake.gguf.sha256"]
    monkeypatch.setattr(PackagedModel, "part_paths", lambda self: pytest.fail("re-read the parts"))
    assert assemble(packaged, tmp_path / "cache", progress=False) == path


def test_a_changed_file_in_the_cache_is_rebuilt(packaged, tmp_path):
    path = assemble(packaged, tmp_path / "cache", progress=False)
    path.write_bytes(b"GGUF truncated")
    assert assemble(packaged, tmp_path / "cache", progress=False).read_bytes() == b"".join(PARTS)


def test_parts_that_do_not_hash_right_leave_nothing_behind(packaged, tmp_path):
    wrong = PackagedModel(**{**packaged.__dict__, "sha256": "0" * 64})
    with pytest.raises(ConfigError, match=r"do not make the expected file .*pip install --force-reinstall 'rag\[fake\]'"):
        assemble(wrong, tmp_path / "cache", progress=False)
    assert list((tmp_path / "cache").iterdir()) == []


def test_a_missing_part_names_the_package_to_install(packaged, tmp_path):
    missing = PackagedModel(**{**packaged.__dict__, "parts": 4})
    with pytest.raises(ConfigError, match=r"fake-1b is not installed \(no module fakemodel_part4\); install it with: pip install 'rag\[fake\]'"):
        assemble(missing, tmp_path / "cache", progress=False)


def test_a_model_path_must_be_a_gguf_file(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "fake.gguf").write_bytes(b"not a model")
    with pytest.raises(ConfigError, match="is neither a .gguf file nor one of: qwen2.5-coder-1.5b"):
        resolve_model(str(tmp_path / "notes.txt"))
    with pytest.raises(ConfigError, match="no such file"):
        resolve_model(str(tmp_path / "gone.gguf"))
    with pytest.raises(ConfigError, match="is not a GGUF file"):
        resolve_model(str(tmp_path / "fake.gguf"))
