"""`python -m rag eval`: score answers on a question set, the citation check on labelled claims, or the news
features on their hand-written sets; write a report and, with --check, hold the metrics to their floors."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from rag.errors import ConfigError


def evaluate_command(args: argparse.Namespace, settings) -> int:
    """`python -m rag eval`: a question set, the labelled claims (--claims) or the news feature sets (--features)."""
    import tempfile

    from rag.evaluate import evaluate
    from rag.questions import QUESTIONS, THRESHOLDS, eval_file, load_questions
    from rag.factory import build_assistant, chosen_llm
    from rag.report import metrics_table, write_report

    if args.claims is not None:
        return _evaluate_claims(args)
    if args.features is not None:
        return _evaluate_features(args, settings)
    questions = load_questions(args.questions or eval_file(QUESTIONS))
    thresholds = (args.thresholds or eval_file(THRESHOLDS)) if args.check else None
    chosen = (("llm", args.llm), ("model", args.model), ("retrieval", args.retrieval))
    settings = dataclasses.replace(settings, **{k: v for k, v in chosen if v})
    llm = chosen_llm(settings)
    label = f"local:{Path(settings.model).name}" if llm == "local" else llm
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        if args.store is None:  # the seed question set is about the bundled articles: a fresh store of them
            settings = dataclasses.replace(settings, store=Path(tmp) / "store")
        assistant = build_assistant(settings, seed_if_empty=args.store is None)
        if assistant.store.count() == 0:  # every question would score as a miss, and the report say nothing of why
            raise ConfigError(
                f"no articles to score in {settings.store}; ingest them first (python -m rag --store "
                f"{settings.store} ingest PATH), or leave out --store to score the bundled demo articles"
            )
        if args.before_the_news:
            label += " before the news"
        result = evaluate(assistant, questions, label=label, use_dates=not args.ignore_dates,
                          before_the_news=args.before_the_news)
    path = write_report([result], args.out)
    print(metrics_table([result]))
    print(f"\nreport: {path}")
    return _checked(result["metrics"], thresholds, label)


def _evaluate_claims(args: argparse.Namespace) -> int:
    from rag.claimset import claims_table, evaluate_claims, load_claims
    from rag.questions import CLAIMS, THRESHOLDS, eval_file

    thresholds = (args.thresholds or eval_file(THRESHOLDS)) if args.check else None
    result = evaluate_claims(load_claims(args.claims if args.claims != Path() else eval_file(CLAIMS)))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "claims.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(claims_table(result))
    print(f"\nreport: {path}")
    return _checked(result["metrics"], thresholds, "claims")


def _evaluate_features(args: argparse.Namespace, settings) -> int:
    from rag.factory import build_assistant, chosen_llm
    from rag.featureset import evaluate_features, features_table
    from rag.questions import THRESHOLDS, eval_file

    if args.store is None:
        raise ConfigError("--features scores news2022 questions: pass --store with the news2022 articles ingested")
    thresholds = (args.thresholds or eval_file(THRESHOLDS)) if args.check else None
    chosen = (("llm", args.llm), ("model", args.model), ("retrieval", args.retrieval))
    settings = dataclasses.replace(settings, **{k: v for k, v in chosen if v})
    llm = chosen_llm(settings)
    label = "features:" + (f"local:{Path(settings.model).name}" if llm == "local" else llm)
    assistant = build_assistant(settings, seed_if_empty=False)
    if assistant.store.count() == 0:
        raise ConfigError(f"no articles in {settings.store}; ingest news2022 first (see docs/news.md)")
    result = evaluate_features(assistant, args.features if args.features != Path() else None)
    result["label"] = label
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "features.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(features_table(result))
    print(f"\nreport: {path}")
    return _checked(result["metrics"], thresholds, label)


def _checked(metrics: dict, thresholds: Path | None, label: str) -> int:
    """0, or 1 with a line per metric that crossed its floor when `thresholds` is given (--check)."""
    from rag.evaluate import check_thresholds, load_thresholds

    if thresholds is None:
        return 0
    failures = check_thresholds(metrics, load_thresholds(thresholds, label))
    for failure in failures:
        print(f"regression: {failure}", file=sys.stderr)
    return 1 if failures else 0
