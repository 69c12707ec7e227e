"""python -m rag …: parse arguments, call the Assistant, print. Errors become one line and exit status 2."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Sequence

from rag.errors import ConfigError, RagError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rag", description="Answer questions from news articles, with cited passages."
    )
    parser.add_argument("--store", type=Path, help="store directory (default: RAG_STORE or store/)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="add or update articles (txt, md, html, pdf, jsonl, jsonl.gz)")
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders (recursive)")
    ingest.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    ingest.add_argument("--rebuild", action="store_true", help="empty the store first, then ingest")
    ingest.add_argument("--prune", action="store_true", help="remove documents whose files are gone from PATH")
    ingest.add_argument("--json", action="store_true", help="print the report as JSON")

    ask = commands.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, help="passages to retrieve (default: RAG_TOP_K)")
    ask.add_argument("--json", action="store_true", help="print the Answer as JSON, as the Python API returns it")
    ask.add_argument("--timeline", action=argparse.BooleanOptionalAction,
                     help="answer with dated events in date order (default: when the question asks what happened)")
    _filter_arguments(ask)

    search = commands.add_parser("search", help="show the passages retrieved for a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, help="passages to return (default: RAG_TOP_K)")
    search.add_argument("--documents", action="store_true", help="one passage per article")
    search.add_argument("--json", action="store_true")
    _filter_arguments(search)

    remove = commands.add_parser("remove", help="delete a document from the store")
    remove.add_argument("doc_id")

    stats = commands.add_parser("stats", help="documents and chunks in the store")
    stats.add_argument("--json", action="store_true")

    commands.add_parser("doctor", help="versions, settings, model files, store manifest, offline check")

    evaluate = commands.add_parser("eval", help="score answers on a question set and write a report")
    evaluate.add_argument("--questions", type=Path, help="question file (default: eval/questions.jsonl)")
    evaluate.add_argument("--llm", help="answer generator (default: RAG_LLM)")
    evaluate.add_argument("--model", help="local model name or .gguf path (default: RAG_MODEL)")
    evaluate.add_argument("--out", type=Path, default=Path("eval/out"), help="report folder (default eval/out)")
    evaluate.add_argument("--check", action="store_true", help="exit 1 when a metric crosses the floors")
    evaluate.add_argument("--thresholds", type=Path, help="floors for --check (default: eval/thresholds.toml)")
    evaluate.add_argument("--retrieval", choices=("hybrid", "dense", "bm25"), help="default: RAG_RETRIEVAL")
    evaluate.add_argument("--ignore-dates", action="store_true", help="do not ask dated questions as of their date")
    evaluate.add_argument("--before-the-news", action="store_true",
                          help="ask each dated question 7 days before its earliest gold article (wrong answers)")
    evaluate.add_argument("--claims", nargs="?", type=Path, const=Path(), metavar="FILE",
                          help="score the citation check on labelled claims instead (default eval/claims.jsonl)")
    evaluate.add_argument("--features", nargs="?", type=Path, const=Path(), metavar="DIR",
                          help="score disagreements, timelines and freshness on the news2022 sets in DIR (default "
                               "eval/) instead; needs --store with news2022")

    bench = commands.add_parser("bench", help="measure embedding, ingest and retrieval speed on a news sample")
    bench.add_argument("--corpus", type=Path, help="a .jsonl or .jsonl.gz corpus of articles to sample")
    bench.add_argument("--docs", type=int, default=200, help="articles to sample (default 200)")
    bench.add_argument("--queries", type=int, default=50, help="retrieval queries (or, with --llm, questions) to time")
    bench.add_argument("--llm", nargs="+", metavar="MODEL",
                       help="time answers instead: time to first token and total, per local model")
    bench.add_argument("--prompt-words", nargs="+", type=int, metavar="N",
                       help="with --llm: passage-word budgets to compare (default: RAG_PROMPT_WORDS)")
    bench.add_argument("--answers", action="store_true",
                       help="time search, sources ready, the quoted answer and the model's answer (--llm MODEL) on"
                            " the store, over --questions (default eval/questions.jsonl)")
    bench.add_argument("--questions", type=Path, help="with --answers: the questions to time")
    bench.add_argument("--scale", type=int, metavar="CHUNKS",
                       help="time vector search over this many synthetic chunks instead, embedded and via a Chroma server")
    bench.add_argument("--scale-dir", type=Path, help="where the synthetic store is built and kept (default: a temp folder)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the store keeps every document finished so far — run the same command to go on",
              file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    from rag.settings import Settings

    settings = Settings.from_env(store=args.store)
    if args.command == "doctor":
        from rag.doctor import report

        print(report(settings))
        return 0
    if args.command == "eval":
        from rag.cli_eval import evaluate_command

        return evaluate_command(args, settings)
    if args.command == "bench":
        from rag.bench import run_answer_bench, run_bench, run_llm_bench, run_scale_bench

        if args.scale:
            run_scale_bench(args.scale, args.queries, args.scale_dir)
        elif args.answers:
            if args.llm and len(args.llm) > 1:
                raise ConfigError(f"bench --answers times one model; give one --llm, not {len(args.llm)}")
            model = args.llm[0] if args.llm else settings.model
            run_answer_bench(settings, args.questions, n_questions=args.queries, model=model)
        elif args.llm:
            run_llm_bench(settings, args.llm, n_questions=args.queries, prompt_words=args.prompt_words)
        else:
            run_bench(settings, corpus=args.corpus, n_docs=args.docs, n_queries=args.queries)
        return 0

    from rag.factory import build_assistant

    filters = _filters(args) if args.command in ("ask", "search") else None  # checked before the store is opened
    assistant = build_assistant(settings, seed_if_empty=args.command in ("ask", "search"))
    if args.command == "ingest":
        report = assistant.ingest(args.paths, prune=args.prune, dry_run=args.dry_run, rebuild=args.rebuild)
        _print_ingest(report, assistant.store.count(), args.json)
    elif args.command == "ask":
        answer = _stream_answer(assistant, args.question, args.k, filters, args.timeline,
                                live=sys.stdout.isatty() and not args.json)
        if args.json:
            _print_json(answer.to_dict())
        else:
            _print_answer(answer)
    elif args.command == "search":
        passages = assistant.search(args.query, k=args.k, distinct_documents=args.documents, filters=filters)
        if args.json:
            _print_json([dataclasses.asdict(p) for p in passages])
        else:
            for n, p in enumerate(passages, start=1):
                print(f"[{n}] {p.score:.3f}  {p.doc_id}  {p.title} ({p.date or 'undated'})  chars {p.start}-{p.end}")
                print("    " + p.text.replace("\n", " ")[:300])
    elif args.command == "remove":
        deleted = assistant.remove(args.doc_id)
        print(f"removed {args.doc_id}: {deleted} chunks; {assistant.store.count()} chunks left")
    elif args.command == "stats":
        stats = assistant.stats()
        if args.json:
            _print_json(stats)
        else:
            print(f"{stats['store']}: {stats['documents']} documents, {stats['chunks']} chunks")
            for row in stats["by_document"]:
                print(f"  {row['doc_id']}  {row['chunks']:>4} chunks  {row['date'] or 'undated':10}  {row['title']}")
    return 0


def _print_json(value) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    print()


def _filter_arguments(command) -> None:
    command.add_argument("--since", metavar="YYYY-MM-DD", help="only articles published on or after this day")
    command.add_argument("--until", metavar="YYYY-MM-DD", help="only articles published on or before this day")
    command.add_argument("--source", action="append", metavar="NAME", help="only articles from this source (repeatable)")
    command.add_argument(
        "--as-of", metavar="YYYY-MM-DD", help="the day the question is asked: later articles left out, closer ones preferred"
    )


def _filters(args):
    """The --since/--until/--source/--as-of arguments as one checked Filters value."""
    from rag.filters import Filters

    return Filters.of(since=args.since, until=args.until, sources=args.source, as_of=args.as_of)


def _stream_answer(assistant, question: str, k: int | None, filters, timeline: bool | None, live: bool):
    """The Answer; on a terminal the model's draft is shown as it is written, then replaced by the checked text.
    (The sources are printed with the answer, so the Sources event before the draft is not shown twice.)"""
    from rag.types import Answer, Sources

    draft = []
    for event in assistant.stream(question, k=k, filters=filters, timeline=timeline):
        if isinstance(event, Sources):
            continue
        if isinstance(event, Answer):
            shown = "".join(draft).strip()
            if draft:
                print("\n", flush=True)
            if shown and event.text.startswith(shown):
                # the draft stands as written: print only what the checks added after it (a disagreement)
                event = dataclasses.replace(event, text=event.text[len(shown):].strip())
            elif shown:
                print("checked against the passages:")
            return event
        if live:
            print(event, end="", flush=True)
            draft.append(event)
    raise AssertionError("stream() ends with an Answer")


def _print_answer(answer) -> None:
    if answer.text:
        print(answer.text)
    if answer.evidence_date:
        print(f"(newest evidence: {answer.evidence_date})")
    for note in answer.notes:
        print(f"note: {note}", file=sys.stderr)
    for warning in answer.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if answer.citations:
        print()
    for c in answer.citations:
        where = ", ".join(part for part in (c.source, c.date) if part)
        print(f"[{c.n}] {c.title}{f' ({where})' if where else ''} — {c.doc_id} chars {c.start}-{c.end}")
        print(f"    “{c.quote}”")
    for sentence in answer.removed:
        print(f"\nremoved, no article supports it: “{sentence}”")
    for repair in answer.repairs:
        print(f"citation check: {repair}", file=sys.stderr)
    if answer.refused and answer.passages:
        print("\nsearched:", "; ".join(f"{p.title} ({p.score:.2f})" for p in answer.passages))


def _print_ingest(report, total_chunks: int, as_json: bool) -> None:
    if as_json:
        _print_json(report.to_dict() | {"total_chunks": total_chunks})
        return
    for label, ids in (("added", report.added), ("updated", report.updated)):
        for doc_id in ids:
            print(f"{label:8} {doc_id}")
    for doc_id, why in zip(report.removed, report.why_removed):
        print(f"{'removed':8} {doc_id}: {why}")
    summary = (
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.unchanged)} unchanged, "
        f"{len(report.removed)} removed, {len(report.notices)} notices"
    )
    if report.dry_run:
        print(f"dry run: {summary} — nothing was changed")
    else:
        print(f"{summary}; {report.chunks_written} chunks written, {report.chunks_deleted} deleted; "
              f"{total_chunks} chunks in the store")
