"""The citation check scored on the hand-labelled claim set: the figures `eval --claims` reports and its floor."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.claimset import KINDS, evaluate_claims, load_claims
from rag.errors import ConfigError

CLAIMS = Path(__file__).resolve().parents[1] / "eval" / "claims.jsonl"
SEEDS = Path(__file__).resolve().parents[1] / "rag" / "seeds"


def test_the_claim_set_is_hand_labelled_from_the_seeds_and_news2022_with_every_kind():
    claims = load_claims(CLAIMS)
    assert len(claims) >= 200
    assert {c.kind for c in claims} == set(KINDS)
    seed_docs = {c.doc_id for c in claims if not c.doc_id.startswith("rtqa22-")}
    news_docs = {c.doc_id for c in claims if c.doc_id.startswith("rtqa22-")}
    assert len(seed_docs) == 2 and len(news_docs) >= 20
    for claim in claims:  # every passage is the article's own text
        if claim.doc_id in seed_docs:
            assert claim.passage in (SEEDS / f"{claim.doc_id}.txt").read_text(encoding="utf-8"), claim.id
    assert all(c.supported == (c.kind in ("paraphrase", "verbatim")) for c in claims)


def test_changed_facts_are_caught_and_paraphrases_kept_on_the_seed_claims():
    result = evaluate_claims([c for c in load_claims(CLAIMS) if not c.doc_id.startswith("rtqa22-")])
    assert result["metrics"]["precision"] >= 0.95 and result["metrics"]["recall"] >= 0.9
    for kind in ("number", "date", "negation", "entity", "unrelated"):
        assert result["kinds"][kind] >= 0.85, kind


@pytest.mark.slow
def test_eval_claims_prints_the_table_and_checks_its_floor(tmp_path):
    result = subprocess.run([sys.executable, "-m", "rag", "eval", "--claims", "--check", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=300, cwd=CLAIMS.parents[1])
    assert result.returncode == 0, result.stderr
    assert "| all | " in result.stdout and "| heldout-2 | " in result.stdout and "ms per claim" in result.stdout
    saved = json.loads((tmp_path / "claims.json").read_text())
    assert saved["metrics"]["claims"] == len(load_claims(CLAIMS))


def test_a_malformed_claim_file_names_the_line(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "x", "doc_id": "d", "kind": "guess", "supported": true, "claim": "c", "passage": "p"}\n')
    with pytest.raises(ConfigError, match=r"c.jsonl line 1: kind must be one of"):
        load_claims(path)
