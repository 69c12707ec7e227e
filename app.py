"""The Gradio chat: a thin page over build_assistant(); answers stream from Assistant.stream.

Run: python app.py [--host 127.0.0.1] [--port 7860]
"""

from __future__ import annotations

import argparse
import html
import json
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

EXAMPLES = [
    "To which city was Moscow ready to send its foreign and defense ministers for talks?",
    "What had Putin demanded of Ukraine before the invasion began?",
    "From which directions did Russian forces advance on the first day?",
]


def render_answer(answer) -> str:
    """Markdown for one answer: the text, then each citation with its quote. Article text is escaped."""
    lines = [html.escape(answer.text)]
    if answer.refused and answer.passages:
        searched = "; ".join(html.escape(p.title) for p in answer.passages)
        lines.append(f"\n*Searched:* {searched}")
    for c in answer.citations:
        where = ", ".join(html.escape(part) for part in (c.source, c.date) if part)
        lines.append(f"\n**[{c.n}] {html.escape(c.title)}**{f' ({where})' if where else ''}  \n> {html.escape(c.quote)}")
    for warning in answer.warnings:
        lines.append(f"\n⚠ {html.escape(warning)}")
    return "\n".join(lines)


def build_app(assistant=None):
    import gradio as gr

    from rag.errors import RagError
    from rag.factory import build_assistant

    assistant = assistant or build_assistant()

    def respond(message: str, history: list):
        """The model's draft as it is written, then the checked answer with its citations."""
        turns = [
            {"role": m["role"], "content": str(m["content"]).split("\n", 1)[0]}  # the answer, not its sources
            for m in history
            if isinstance(m, dict) and m.get("role") in ("user", "assistant")
        ]
        draft = ""
        try:
            for event in assistant.stream(message, history=turns):
                if isinstance(event, str):
                    draft += event
                    yield html.escape(draft)
                else:
                    yield render_answer(event)
        except RagError as exc:
            raise gr.Error(str(exc)) from None

    def ask(question: str) -> str:
        """The Answer as JSON text, the same as `python -m rag ask --json` prints.

        Text, not a dict: gradio_client would take the passages' file paths for files to download.
        """
        try:
            return json.dumps(assistant.ask(question).to_dict(), ensure_ascii=False)
        except RagError as exc:
            raise gr.Error(str(exc)) from None

    with gr.Blocks(title="rag — answers from your news articles") as app:
        gr.ChatInterface(
            respond,
            examples=EXAMPLES,
            title="Ask the articles",
            description=f"Answers come only from the articles in `{html.escape(str(assistant.settings.store))}`, "
            "with the passages they quote. When the articles do not hold the answer, it says so.",
            api_name="chat",
        )
        gr.api(ask, api_name="ask")
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the rag chat page.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args()
    build_app().launch(server_name=args.host, server_port=args.port)


if __name__ == "__main__":
    main()
