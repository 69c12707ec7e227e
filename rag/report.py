"""Evaluation results -> results.json, report.md and plots (metric bars per configuration, latency spread)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Quality metrics shown as bars: all are fractions where higher is better (false refusals: lower).
BAR_METRICS = ("hits@1", "hits@4", "hits@10", "mrr@10", "evidence_in_passages", "key_accuracy", "token_f1",
               "citation_precision", "citation_recall", "refusal_accuracy", "false_refusal_rate",
               "followup_key_accuracy")
STAGES = ("rewrite_ms", "retrieve_ms", "ttft_ms", "generate_ms", "verify_ms", "total_ms")


def write_report(results: list[dict[str, Any]], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    _plot_metrics(results, out / "metrics.png")
    has_latency = _plot_latency(results, out / "latency.png")
    lines = ["# Evaluation report", "", metrics_table(results), "", "![metrics per configuration](metrics.png)", ""]
    if has_latency:
        lines += ["![latency per stage](latency.png)", ""]
    for result in results:
        lines += _failures(result)
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def metrics_table(results: list[dict[str, Any]]) -> str:
    names = [name for name in results[0]["metrics"] if any(r["metrics"].get(name) is not None for r in results)]
    header = "| metric | " + " | ".join(r["label"] for r in results) + " |"
    rule = "|---|" + "---|" * len(results)
    rows = ["| " + name + " | " + " | ".join(_fmt(r["metrics"].get(name)) for r in results) + " |" for name in names]
    return "\n".join([header, rule, *rows])


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1 else str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _failures(result: dict[str, Any]) -> list[str]:
    failed = [row for row in result["rows"] if row["failed"]]
    lines = [f"## {result['label']}: {len(failed)} failed of {len(result['rows'])}", ""]
    if not failed:
        return lines
    lines += ["| id | group | question | expected | answer | citations | top documents |", "|---|---|---|---|---|---|---|"]
    for row in failed:
        expected = " & ".join("/".join(group) for group in row["keys"]) or ", ".join(row["gold_doc_ids"]) or "refusal"
        cites = "; ".join(f"[{c['n']}] {c['doc_id']}: “{c['quote'][:80]}”" for c in row["citations"])
        lines.append(
            f"| {row['id']} | {row['group']} | {_cell(row['question'])} | {_cell(expected)} | "
            f"{_cell(row['answer'][:300])} | {_cell(cites)} | {', '.join(row['ranking'][:3])} |"
        )
    return lines + [""]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _plot_metrics(results: list[dict[str, Any]], path: Path) -> None:
    plt = _pyplot()
    names = [m for m in BAR_METRICS if any(r["metrics"].get(m) is not None for r in results)]
    figure, axes = plt.subplots(figsize=(max(6, 0.9 * len(names) * max(1, len(results))), 4))
    width = 0.8 / len(results)
    for i, result in enumerate(results):
        values = [result["metrics"].get(m) or 0.0 for m in names]
        positions = [j + i * width for j in range(len(names))]
        bars = axes.bar(positions, values, width, label=result["label"])
        axes.bar_label(bars, fmt="%.2f", fontsize=7)
    axes.set_xticks([j + 0.4 - width / 2 for j in range(len(names))], names, rotation=30, ha="right")
    axes.set_ylim(0, 1.1)
    axes.legend()
    axes.set_title("Quality per configuration (false_refusal_rate: lower is better)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _plot_latency(results: list[dict[str, Any]], path: Path) -> bool:
    series = {
        f"{r['label']} {stage[:-3]}": [row["timings"][stage] for row in r["rows"] if stage in row["timings"]]
        for r in results
        for stage in STAGES
    }
    series = {name: values for name, values in series.items() if values}
    if not series:
        return False
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(max(6, 1.2 * len(series)), 4))
    axes.boxplot(list(series.values()), tick_labels=list(series.keys()))
    axes.set_ylabel("milliseconds")
    axes.set_title("Latency per stage")
    plt.setp(axes.get_xticklabels(), rotation=20, ha="right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True
