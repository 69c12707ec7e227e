"""Articles not in English: a Russian and a French article are ingested, found by a question in their own
language, quoted, and their sentences verified; a changed number in either language is caught."""

import pytest

from rag.cite import verify
from rag.factory import build_assistant
from rag.settings import Settings
from rag.text import stem

RUSSIAN = """---
title: Новый мост через Волгу открыт в Самаре
date: 2022-05-14
source: Волжская правда
---
В субботу в Самаре открыли новый мост через Волгу. Его длина составляет 3,7 километра, а строительство обошлось \
в 42 миллиарда рублей.

Мэр города Елена Лапушкина сказала, что мост сократит время в пути до аэропорта на двадцать минут. Первыми по \
мосту проехали автобусы городского маршрута номер 12.
"""
FRENCH = """---
title: Lyon inaugure une nouvelle ligne de tramway
date: 2022-06-02
source: Le Progrès
---
La métropole de Lyon a inauguré jeudi la ligne de tramway T10, qui relie Vénissieux à Saint-Fons en dix-huit \
minutes. Le chantier a coûté 250 millions d'euros.

Le président de la métropole, Bruno Bernard, a déclaré que la ligne transportera chaque jour environ 25 000 \
voyageurs. Les rames circuleront toutes les huit minutes aux heures de pointe.
"""


@pytest.fixture(scope="module")
def languages(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("languages")
    (folder / "articles").mkdir()
    (folder / "articles" / "samara.txt").write_text(RUSSIAN, encoding="utf-8")
    (folder / "articles" / "lyon.md").write_text(FRENCH, encoding="utf-8")
    settings = Settings(store=folder / "store", llm="extractive", retrieval="hybrid")
    assistant = build_assistant(settings, embedder=embedder, seed_if_empty=True)  # the English demo articles too
    assistant.ingest([folder / "articles"], progress=False)
    return assistant


@pytest.mark.parametrize("question, doc_id, quoted", [
    ("Когда открыли новый мост через Волгу в Самаре?", "samara", "В субботу в Самаре открыли новый мост через Волгу."),
    ("Qui a déclaré que la ligne transportera 25 000 voyageurs ?", "lyon",
     "Le président de la métropole, Bruno Bernard, a déclaré que la ligne transportera chaque jour environ 25 000 "
     "voyageurs."),
])
def test_a_question_in_the_articles_language_is_answered_with_a_verified_quote(languages, question, doc_id, quoted):
    answer = languages.ask(question)
    assert not answer.refused, answer.repairs
    assert answer.citations[0].doc_id == doc_id and answer.citations[0].quote == quoted
    passage = next(p for p in answer.passages if p.doc_id == doc_id)
    assert quoted in passage.text
    assert verify(f"{quoted} [1]", [passage]).supported == 1


@pytest.mark.parametrize("doc_id, claim, changed", [
    ("samara", "Строительство моста обошлось в 42 миллиарда рублей. [1]",
     "Строительство моста обошлось в 52 миллиарда рублей. [1]"),
    ("lyon", "Le chantier de la ligne T10 a coûté 250 millions d'euros. [1]",
     "Le chantier de la ligne T10 a coûté 350 millions d'euros. [1]"),
])
def test_a_changed_number_is_caught_in_either_language(languages, doc_id, claim, changed):
    passage = next(p for p in languages.search(claim.removesuffix(" [1]"), k=10) if p.doc_id == doc_id)
    assert verify(claim, [passage]).supported == 1
    rejected = verify(changed, [passage])
    assert rejected.supported == 0 and rejected.removed == (changed.removesuffix(" [1]"),)


def test_words_find_an_inflected_russian_word_by_its_stem(languages):
    """"мостом" (by the bridge) meets "мост" (bridge) and "Самары" meets "Самаре": Cyrillic words get Russian stems;
    written as they are, neither word is in the article."""
    import dataclasses

    words_only = build_assistant(dataclasses.replace(languages.settings, retrieval="bm25"),
                                 embedder=languages.embedder, store=languages.store, seed_if_empty=False)
    assert [p.doc_id for p in words_only.search("мостом Самары", k=3)] == ["samara"]
    assert stem("моста") == stem("мост") == "мост"
