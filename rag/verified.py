"""Draft -> verified answer: the model's draft keeps only the sentences its citations support, and is withheld
when none remain or when what remains does not give the kind of fact the question asks for. A withheld draft
still counts as a reading of the passages: when passage sentences give the same answer (the same name, number
or date; for a question that asks for none, every word the draft adds to the question), the best of them, held to
the quoting answerer's checks, are the answer, so the model picks the answer and a verbatim quote proves it.
Among many articles (RAG_MODEL_JUDGE) a checked answer is then read by the model itself, asked only whether its
quotes say the answer (judged)."""

from __future__ import annotations

import dataclasses
import re
from typing import Callable, Mapping

from rag import prompts
from rag.asked import COUNTRY, LABEL, NAME, REASON, asked_facts, asked_kind, gives, labels, other_label, same_word
from rag.cite import CITATION_MARK, cite_quote, verify
from rag.claim_words import short_stem
from rag.countries import countries_in
from rag.errors import GenerationError
from rag.extractive import SHARE_EXCUSED_AT, question_share, restates
from rag.generate import Generator, generate
from rag.period import RELATIVE_PERIOD
from rag.text import content_words, split_sentences, words
from rag.types import Answer, Citation, Passage

# A question that asks for a reason or a manner ("Why did …", "How did …"; not "How old …", a quantity).
_REASON = re.compile(r"\bwhy\b|\bhow\s+(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would)\b",
                     re.IGNORECASE)

# The quoting answerer's (text, citations) from the sentences that pass a test (the draft's facts in them; None:
# all), or None.
Quoted = Callable[[Callable[[str], bool] | None], "tuple[str, tuple[Citation, ...]] | None"]
# How a draft withheld for lacking the asked kind of fact is told: a second look reads more passage words.
GIVES_NONE = "and the checked answer gives none"
# Tokens the model may write when asked yes or no: "No." is two.
JUDGE_TOKENS = 2


def verified(answer: Answer, draft: str, n_shown: int, quoted: Quoted = lambda holds: None, share: float = 0.0,
             scores: Mapping[str, float] = {}, held_share: Callable[[str, list[str]], float] = question_share,
             period: str = "") -> Answer:
    """`answer` (a refusal carrying the passages) with the model's checked draft in it; a refusal, or an answer
    no passage supports, leaves it refused and says in `repairs` what was withheld. `quoted` gives the quoting
    answerer's (text, citations) for the same passages from the sentences that hold the draft's answer, read only
    when the draft is withheld: when there is one, it is the answer. With `share` (RAG_MODEL_QUESTION_SHARE), a
    checked answer is withheld too when its quotes hold less than that share of the question's words (`held_share`:
    the same words, or ExtractiveAnswerer.meaning_share, words of like meaning too) and none scores
    SHARE_EXCUSED_AT in `scores` (passage sentence -> ExtractiveAnswerer score): true sentences of another event,
    the question's premise taken from the question, not the articles. `period` is the week, month or year the
    question names ("this week") when only articles published in it were searched: the draft's own "this week" is
    the question's, vouched for by the articles' dates, not a claim a quote must repeat; it is left out."""
    sentences = [s for _, s in split_sentences(draft.strip())]
    if not sentences or prompts.is_refusal(sentences[0]):
        return answer
    kept = " ".join(s for s in sentences if not prompts.is_refusal(s))
    left_out: tuple[str, ...] = ()
    if RELATIVE_PERIOD.fullmatch(period):
        shorter = _without(kept, period)
        if shorter != kept and content_words(CITATION_MARK.sub("", shorter)):
            kept, left_out = shorter, (f"left out “{period}”: the question's own period, which the articles "
                                       "searched were published in",)
    asked = answer.query or answer.question
    kind = asked_kind(asked)

    def withheld(checked, repair: str) -> Answer:
        refused = dataclasses.replace(answer, removed=checked.removed, repairs=checked.repairs + (repair,))
        return _confirmed(refused, kind, asked, CITATION_MARK.sub("", kept), quoted) or refused

    checked = verify(kept, answer.passages[:n_shown])
    checked = dataclasses.replace(checked, repairs=left_out + checked.repairs)
    if checked.supported == 0:
        return withheld(checked, f"withheld an answer no passage supports: “{draft.strip()}”")
    context = " ".join(p.text for p in answer.passages[:n_shown]) if kind is not None else ""
    outlets = {p.source for p in answer.passages[:n_shown]}
    unmarked = CITATION_MARK.sub("", checked.text)
    if not gives(kind, asked, unmarked, context, outlets):
        # a why-draft is not told as GIVES_NONE, so it gets no second look: any longer draft that leaves the premise
        # out passes the test, and on the seed and dev questions the second drafts told of other events
        why = ("the question asks why and the checked answer says what it takes as given, with no reason"
               if kind == REASON else f"the question asks for a {kind} {GIVES_NONE}")
        return withheld(checked, f"withheld “{checked.text}”: {why}")
    if kind in (None, REASON) and restates(content_words(asked), unmarked):
        # the quiz question that opens with the article's first sentence, quoted back: a question that names its
        # kind is held to a new fact of that kind above; a why-question's test there passes the question's own
        # words said back without one of its names
        return withheld(checked, f"withheld “{checked.text}”: it says nothing the question did not")
    wrong_label = other_label(asked, unmarked)
    if wrong_label:
        found = _labelled(asked, answer.passages[:n_shown])
        if found is None or not gives(kind, asked, found[1], context, outlets):
            return withheld(checked, f"withheld “{checked.text}”: {wrong_label}")
        n, sentence = found
        return dataclasses.replace(
            answer, text=f"{sentence} [{n}]", citations=(cite_quote(n, answer.passages[n - 1], sentence),),
            refused=False, removed=checked.removed + (checked.text,), repairs=checked.repairs + (
                f"replaced “{checked.text}” ({wrong_label}) with the sentence of [{n}] that names it",))
    quotes = [c.quote for c in checked.citations]
    held = held_share(asked, quotes) if share else 1.0
    if held < share and max((scores.get(q, 0.0) for q in quotes), default=0.0) < SHARE_EXCUSED_AT:
        return withheld(checked, f"withheld “{checked.text}”: its quotes hold {held:.0%} of the question's words "
                                 f"(RAG_MODEL_QUESTION_SHARE asks for {share:.0%}), so they may tell of another event")
    return dataclasses.replace(answer, text=checked.text, citations=checked.citations, refused=False,
                               repairs=checked.repairs, removed=checked.removed)


def _without(text: str, period: str) -> str:
    """`text` without the phrase `period` ("this week", "earlier this week"), each sentence still opening with a
    capital: "Earlier this week, Blink-182 announced …" -> "Blink-182 announced …"; `text` itself when it does not
    hold the phrase."""
    phrase = re.compile(r"(?:,\s*)?\b(?:earlier\s+|later\s+)?" + re.escape(period) + r"\b(?:\s*,)?", re.IGNORECASE)
    if not phrase.search(text):
        return text
    out = []
    for _, sentence in split_sentences(text):
        shorter = re.sub(r"\s+([.!?,;:])", r"\1", re.sub(r"\s+", " ", phrase.sub(" ", sentence))).strip()
        out.append(shorter[:1].upper() + shorter[1:])
    return " ".join(out)


def lacks_asked_fact(answer: Answer) -> bool:
    """Whether `answer` was withheld only because the model's checked draft gives no fact of the kind asked for:
    the passage words it read may not hold it ("paid a record-breaking sum" for "how much?"), and more may."""
    withheld = [repair for repair in answer.repairs if repair.startswith("withheld")]
    return answer.refused and bool(withheld) and withheld[-1].endswith(GIVES_NONE)


def judged(answer: Answer, generator: Generator) -> Answer:
    """`answer` (checked, not refused) unless `generator`, asked whether its quotes say the answer to the question
    (prompts.JUDGE_USER, one word back), says no: then withheld, and `repairs` says why. The rules above test words,
    names and numbers; a true sentence of another event can pass them all ("Users were unable to access Facebook,
    Instagram …" for an outage a week later), and the model reads whether it answers what is asked. A reply that
    is neither yes nor no keeps the answer; a failed model keeps it with a warning."""
    question = answer.query or answer.question
    try:
        reply = generate(generator, prompts.judge_messages(question, [c.quote for c in answer.citations]), JUDGE_TOKENS)
    except GenerationError as exc:
        return dataclasses.replace(answer, warnings=answer.warnings + (
            f"the LLM could not be asked whether the quotes answer the question ({exc}); the answer is unjudged",))
    word = re.match(r"\W*(\w+)", reply)
    if word is None or word.group(1).lower() != "no":
        return answer
    return dataclasses.replace(
        answer, text=prompts.REFUSAL, citations=(), refused=True, removed=answer.removed + (answer.text,),
        repairs=answer.repairs + (f"withheld “{answer.text}”: asked whether its quotes say the answer to the "
                                  "question, the model said no",))


def _confirmed(refused: Answer, kind: str | None, question: str, draft: str, quoted: Quoted) -> Answer | None:
    """The quoting answerer's answer in place of a withheld draft, when it gives the draft's answer: it holds every
    name, number or date of the asked kind that the draft adds to the question (for a question that asks for no
    kind, every content word the draft adds), or else it is quoted from the sentences that each hold them, best
    first, held to the quoting answerer's own checks (the question's share, the asked kind). None when no quote
    does or the draft adds nothing, and for a why- or how-question that asks for no kind: its answer is a reason or
    a manner, which shared words do not vouch for ("Why did Zelensky tell Interfax …?" is not answered by his words
    to others)."""
    # a country is a name: the quote must hold every name the draft adds, not only its countries ("Russia claims
    # it's ready for talks: the two key demands Putin wants" is not confirmed by a quote naming Russia)
    facts = NAME if kind == COUNTRY else kind
    if kind is None:
        if _REASON.search(question):
            return None
        added = _stems(draft) - _stems(question)

        def holds(quote: str) -> bool:
            return added <= _stems(quote)
    else:
        context = " ".join(p.text for p in refused.passages)
        outlets = {p.source for p in refused.passages}
        added = asked_facts(facts, question, draft, context, outlets)
        # a draft that names no country is confirmed only by a quote that places one of its names in a country
        # ("Minsk." by "the Belarusian capital, Minsk"), not by any country the quote names ("NATO and Europe have
        # left his country alone …" by a sentence on "citizens of Ukraine")
        placed = kind == COUNTRY and not asked_facts(COUNTRY, question, draft, context, outlets)

        def holds(quote: str) -> bool:
            given = asked_facts(facts, "", quote, context, outlets)
            return all(any(same_word(fact, g) for g in given) for fact in added) and (
                not placed or _places(quote, added, question))
    if not added:
        return None
    found = quoted(None)  # the quoting answer as it is: its sentences may hold the draft's answer between them
    if found is None or not holds(CITATION_MARK.sub("", found[0])):
        found = quoted(holds)  # else the best sentences that hold it, each
    if found is None or not holds(CITATION_MARK.sub("", found[0])):
        return None
    text, citations = found
    what = f"the {facts}: {', '.join(sorted(added))}" if kind else "every word it adds to the question"
    return dataclasses.replace(refused, text=text, citations=citations, refused=False, repairs=refused.repairs + (
        f"answered with the quoted sentences instead: they give the model's answer too ({what})",))


def _places(quote: str, names: set[str], question: str) -> bool:
    """Whether a sentence of `quote` names a country the question does not within three words of one of `names`
    (lowered)."""
    asked = countries_in(question)
    heads = [(name.split()[0], len(name.split())) for name in names]
    for _, sentence in split_sentences(quote):
        tokens = words(sentence)
        for i, token in enumerate(t.lower() for t in tokens):
            if any(token == first and countries_in(" ".join(tokens[max(i - 3, 0):i + length + 3])) - asked
                   for first, length in heads):
                return True
    return False


def _stems(text: str) -> set[str]:
    return {short_stem(w) for w in content_words(text)}


def _labelled(question: str, passages: tuple[Passage, ...]) -> tuple[int, str] | None:
    """(n, sentence) of the first passage sentence that names the numbered label the question asks about and
    shares another of its words ("target")."""
    asked, topic = labels(question), content_words(LABEL.sub(" ", question))
    for n, passage in enumerate(passages, start=1):
        for _, sentence in split_sentences(passage.text):
            if labels(sentence) & asked and content_words(LABEL.sub(" ", sentence)) & topic:
                return n, sentence
    return None
