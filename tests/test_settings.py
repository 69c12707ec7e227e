import dataclasses
import os
from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.settings import Settings


@pytest.fixture
def environ(monkeypatch):
    """Sets RAG_* variables for one test, starting from none of the developer's own."""
    for name in [name for name in os.environ if name.upper().startswith("RAG_")]:
        monkeypatch.delenv(name)

    def set_variables(variables: dict[str, str]) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_variables


def test_environment_variables_are_read_and_overrides_win(environ):
    environ({"RAG_STORE": "/tmp/x", "RAG_TOP_K": "7", "RAG_MIN_SCORE": "0.25", "RAG_LLM": " extractive ",
             "RAG_N_CTX": "  "})
    settings = Settings.from_env(top_k=3, chunk_size=None)
    assert (settings.store, settings.top_k, settings.min_score) == (Path("/tmp/x"), 3, 0.25)
    assert (settings.llm, settings.n_ctx, settings.chunk_size) == ("extractive", 4096, 200)  # blank: unset
    assert Settings().top_k == 4  # given directly, a Settings reads no variable


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"RAG_TOP_K": "many"}, "RAG_TOP_K='many' is not a valid int; unset it or give e.g. 4"),
        ({"RAG_TOP_K": "0"}, "RAG_TOP_K=0 must be between 1 and 100"),
        ({"RAG_CHUNK_OVERLAP": "150"},
         "RAG_CHUNK_OVERLAP=150 must be at least 0 and below half of RAG_CHUNK_SIZE (200)"),
        ({"RAG_LLM": "gpt"}, "RAG_LLM='gpt' is not one of: auto, local, openai, extractive"),
        ({"RAG_MIN_SCORE": "2"}, "RAG_MIN_SCORE=2.0 must be a cosine similarity between -1 and 1"),
        ({"RAG_RETRIEVAL": "sparse"}, "RAG_RETRIEVAL='sparse' is not one of: dense, hybrid, bm25"),
        ({"RAG_PHRASE_WEIGHT": "-0.05"}, "RAG_PHRASE_WEIGHT=-0.05 must be 0 or more"),
        ({"RAG_RECENCY_DAYS": "0"}, "RAG_RECENCY_DAYS=0.0 must be a positive number of days"),
        ({"RAG_MODEL_QUESTION_SHARE": "1.5"}, "RAG_MODEL_QUESTION_SHARE=1.5 must be a share between 0 and 1"),
        ({"RAG_UI_SHARE": "maybe"}, "RAG_UI_SHARE='maybe' is not a yes/no value; use true or false"),
        ({"RAG_UI_READONLY": " y "}, "RAG_UI_READONLY='y' is not a yes/no value; use true or false"),
        ({"RAG_UI_PORT": "70000"}, "RAG_UI_PORT=70000 must be a port number between 1 and 65535"),
        ({"RAG_UI_AUTH": "ana"}, "RAG_UI_AUTH must look like user:password (both non-empty), or be unset for no login"),
    ],
)
def test_invalid_settings_name_the_variable_and_the_fix(environ, variables, message):
    environ(variables)
    with pytest.raises(ConfigError) as error:
        Settings.from_env()
    assert str(error.value) == message


def test_a_misspelt_override_is_named_as_unknown(environ):
    with pytest.raises(ConfigError, match=r"^unknown setting 'top_kk'; `python -m rag doctor` lists every setting$"):
        Settings.from_env(top_kk=3)


def test_a_copy_with_changes_is_converted_and_checked_like_a_new_one():
    settings = dataclasses.replace(Settings(), top_k="7", store="/tmp/x")
    assert (settings.top_k, settings.store) == (7, Path("/tmp/x"))
    with pytest.raises(ConfigError, match=r"^RAG_TOP_K=0 must be between 1 and 100$"):
        dataclasses.replace(settings, top_k=0)


def test_yes_no_settings_and_the_login_is_never_shown(environ):
    environ({"RAG_UI_SHARE": "Yes", "RAG_UI_AUTH": "ana:pw", "RAG_UPLOADS": "~/up"})
    settings = Settings.from_env()
    assert settings.ui_share is True and settings.uploads == Path("~/up").expanduser()
    environ({"RAG_UI_SHARE": "off"})
    assert Settings.from_env().ui_share is False
    assert ("RAG_UI_AUTH", "(set)") in [(name, value) for name, value, _ in settings.describe()]


def test_describe_lists_every_setting_with_its_variable():
    names = [name for name, _, _ in Settings().describe()]
    assert "RAG_STORE" in names and "RAG_CHUNK_SIZE" in names and len(names) == len(set(names))


def test_the_readme_settings_table_lists_every_setting_with_its_default():
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for name, value, _ in Settings().describe():
        assert f"| `{name}` | `{value}` |" in readme, name
