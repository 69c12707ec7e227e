"""The Gradio page: chat with streamed, cited answers and their sources; add and delete articles.

A thin page over build_assistant(): answers come from Assistant.stream, documents from Assistant.ingest,
remove and stats; rag/uploads.py keeps and edits the page's copies of uploads; rag/render.py turns an Answer
into HTML. Page is what the page does, Handlers its events and API endpoints, build_app the layout.
Run: python app.py [--host H] [--port P] [--share] [--readonly]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag import render, uploads  # noqa: E402  (after the environment it must see)
from rag.errors import RagError  # noqa: E402
from rag.filters import Filters  # noqa: E402
from rag.types import Sources  # noqa: E402

EXAMPLES = [
    "To which city was Moscow ready to send its foreign and defense ministers for talks?",
    "What had Putin demanded of Ukraine before the invasion began?",
    "From which directions did Russian forces advance on the first day?",
]
BACKENDS = [
    ("Local model (llama.cpp)", "local"),
    ("OpenAI-compatible server", "openai"),
    ("No model: quote the best sentences", "extractive"),
]
UPLOAD_TYPES = [".txt", ".md", ".html", ".htm", ".pdf", ".jsonl", ".gz"]


class Page:
    """What the page does, as plain methods: one Assistant per answer generator, sharing one store."""

    def __init__(self, assistant) -> None:
        from rag.factory import chosen_llm

        self.assistant = assistant
        self.settings = assistant.settings
        self.default_backend = "extractive" if assistant.generator is None else chosen_llm(self.settings)
        self._assistants = {self.default_backend: assistant}

    def assistant_for(self, backend: str):
        """The Assistant answering with `backend`; built on first use, sharing the embedder and the store."""
        from rag.factory import build_assistant

        if backend not in self._assistants:
            self._assistants[backend] = build_assistant(
                dataclasses.replace(self.settings, llm=backend), embedder=self.assistant.embedder,
                store=self.assistant.store, seed_if_empty=False,
            )
        return self._assistants[backend]

    def describe(self, backend: str) -> str:
        s = self.settings
        model = {
            "local": f"local model `{s.model}` (llama.cpp)",
            "openai": f"`{s.openai_model}` at `{s.openai_base_url}`",
            "extractive": "no model: answers quote the passages' best sentences",
        }[backend]
        return f"Store `{s.store}` · {self.assistant.store.count():,} chunks · answers by {model}"

    def add_files(self, paths: list[str]) -> tuple[str, dict]:
        """Copy uploaded files into the uploads folder and ingest them; (summary, report) ."""
        self._check_writable()
        if not paths:
            return "Choose one or more files first (txt, md, html, pdf or jsonl).", {}
        kept = uploads.keep([Path(p) for p in paths], self.settings.uploads)
        notices: list[str] = []
        report = self.assistant.ingest(kept, progress=True, on_notice=notices.append)
        counts = ", ".join(
            f"{len(ids)} {what}" for what, ids in
            (("added", report.added), ("updated", report.updated), ("unchanged", report.unchanged))
        )
        lines = [f"**{counts}**; {_count(report.chunks_written, 'chunk')} written."]
        lines += [f"- ⚠ {render.escape(n)}" for n in notices]
        return "\n".join(lines), report.to_dict()

    def documents(self) -> list[dict]:
        return self.assistant.store.documents()

    def delete(self, doc_id: str) -> tuple[str, int]:
        """Delete one article's chunks, and the article from the page's copy when the page uploaded it (see
        uploads.forget_if_uploaded); (summary, chunks deleted)."""
        self._check_writable()
        if not doc_id:
            return "Pick a document to delete.", 0
        version = self.assistant.store.doc_versions().get(doc_id)
        deleted = self.assistant.remove(doc_id)
        summary = f"Deleted **{render.escape(doc_id)}** ({_count(deleted, 'chunk')})"
        if version:
            stored_hash = next(iter(version.counts))
            # file names are the user's: escaped, so "my_feed_2022.jsonl" does not turn to italics
            summary += render.escape(uploads.forget_if_uploaded(version.path, doc_id, stored_hash,
                                                                self.settings.uploads))
        return summary + ".", deleted

    def _check_writable(self) -> None:
        if self.settings.ui_readonly:
            raise RagError("this page is read-only (RAG_UI_READONLY=true): it answers questions but does not add or "
                           "delete articles; use python -m rag ingest / remove on the machine that holds the store")


class Handlers:
    """The page's events and API endpoints as named methods over a Page: each can be called without the UI."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def respond(self, message, chat, turns, answers, backend, k, since, until, sources, as_of):
        """Stream the model's draft into the chat, then the checked answer and its sources; yields
        (question box, chat, turns, answers, sources panel)."""
        import gradio as gr

        if not (message or "").strip():
            yield gr.skip(), chat, turns, answers, gr.skip()
            return
        question = {"role": "user", "content": render.escape(message)}
        chat = chat + [question, {"role": "assistant", "content": render.CURSOR}]
        yield "", chat, turns, answers, gr.skip()
        draft = ""
        try:
            filters = Filters.of(since=since, until=until, sources=sources, as_of=as_of)
            events = self.page.assistant_for(backend).stream(message, history=turns, k=int(k), filters=filters)
            for event in events:
                if isinstance(event, Sources):  # shown at once, before the model has written a word
                    yield gr.skip(), chat, turns, answers, render.sources_html(answers, event)
                elif isinstance(event, str):
                    draft += event
                    chat[-1] = {"role": "assistant", "content": render.draft_html(draft)}
                    yield gr.skip(), chat, turns, answers, gr.skip()
                else:
                    answers = answers + [event]
                    # the standalone query, so a later follow-up reads what was really asked
                    turns = turns + [{"question": event.query or event.question, "answer": event.text}]
                    chat[-1] = {"role": "assistant", "content": render.answer_html(event, len(answers) - 1)}
                    yield gr.skip(), chat, turns, answers, render.sources_html(answers)
        except RagError as exc:
            warning = f'<div class="rag-warning">⚠ {render.escape(str(exc))}</div>'
            chat[-1] = {"role": "assistant", "content": warning}
            yield gr.skip(), chat, turns, answers, gr.skip()

    @staticmethod
    def start_over() -> tuple:
        """A new conversation: (chat, turns, answers, sources panel, question box), all empty."""
        return [], [], [], render.sources_html([]), ""

    def add_clicked(self, files) -> tuple:
        """The "Add to the index" button: (what was added, *listing)."""
        return self._then_listing(self.page.add_files, [_path(f) for f in files or []])

    def delete_clicked(self, doc_id: str) -> tuple:
        """The "Delete" button: (what was deleted, *listing)."""
        return self._then_listing(self.page.delete, doc_id)

    def _then_listing(self, action, argument) -> tuple:
        try:
            summary = action(argument)[0]
        except RagError as exc:
            summary = f"⚠ {render.escape(str(exc))}"
        return summary, *self.listing()

    def listing(self) -> tuple:
        """The Documents tab's view of the store: (caption, table rows, documents to delete, source names)."""
        import gradio as gr

        rows = self.page.documents()
        store = render.escape(str(self.page.settings.store))
        caption = f"{_count(len(rows), 'document')}, {_count(sum(r['chunks'] for r in rows), 'chunk')} in {store}"
        doomed = gr.update(choices=[r["doc_id"] for r in rows], value=None)
        return caption, _table(rows), doomed, gr.update(choices=sorted({r["source"] for r in rows if r["source"]}))

    # Named endpoints for scripts (gradio_client): JSON text in the same format as the Python API and the CLI.
    # Text, not dicts: gradio_client would take the passages' file paths for files to download.
    def ask_api(self, question: str, k: int = 0, since: str = "", until: str = "", sources: list[str] | None = None,
                as_of: str = "") -> str:
        """Answer one question; the Answer as JSON, as `python -m rag ask --json` prints it. Optional: k
        (0: the default), since/until (YYYY-MM-DD), sources (names) limit the articles searched; as_of
        (YYYY-MM-DD) leaves out later articles and prefers those published close to it."""
        with _as_gradio_error():
            filters = Filters.of(since=since, until=until, sources=sources, as_of=as_of)
            answer = self.page.assistant.ask(question, k=k or None, filters=filters)
        return json.dumps(answer.to_dict(), ensure_ascii=False)

    def chat_api(self, message: str, history: str = "[]") -> str:
        """Answer a message in a conversation; `history` is a JSON list of {question, answer}."""
        with _as_gradio_error((RagError, json.JSONDecodeError)):
            answer = self.page.assistant.chat(message, json.loads(history or "[]"))
        return json.dumps(answer.to_dict(), ensure_ascii=False)

    def documents_api(self) -> str:
        """The documents in the store: doc_id, title, date, source, path, chunks."""
        return json.dumps(self.page.documents(), ensure_ascii=False)

    def delete_api(self, doc_id: str) -> str:
        """Delete one document; {"doc_id", "chunks_deleted"}."""
        with _as_gradio_error():
            deleted = self.page.delete(doc_id)[1]
        return json.dumps({"doc_id": doc_id, "chunks_deleted": deleted})

    def ingest_api(self, files):
        """Ingest uploaded files; the IngestReport as JSON."""
        with _as_gradio_error():
            report = self.page.add_files([_path(f) for f in files or []])[1]
        return json.dumps(report, ensure_ascii=False)


@contextmanager
def _as_gradio_error(kinds: tuple[type[Exception], ...] = (RagError,)) -> Iterator[None]:
    """Raise these errors again as gr.Error, whose message the API client receives."""
    import gradio as gr

    try:
        yield
    except kinds as exc:
        raise gr.Error(str(exc)) from None


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _table(rows: list[dict]) -> list[list]:
    return [[r["doc_id"], r["title"], r["date"], r["source"], r["chunks"]] for r in rows]


def _path(file) -> str:
    return file if isinstance(file, str) else getattr(file, "name", None) or file["path"]


def build_app(assistant=None):
    """The page over `assistant` (build_assistant()'s by default): the layout, its events wired to Handlers."""
    import gradio as gr

    from rag.factory import build_assistant

    handlers = Handlers(Page(assistant or build_assistant()))
    writable = not handlers.page.settings.ui_readonly  # a read-only page shows the articles but cannot change them
    with gr.Blocks(title="rag — answers from your news articles") as app:
        gr.Markdown(
            "## Ask the articles\nAnswers come only from the articles in the store, each sentence citing the passage "
            "it rests on. When the articles do not hold the answer, it says so."
        )
        sources_filter = _ask_tab(handlers)
        listing = _documents_tab(handlers, sources_filter, writable)
        app.load(handlers.listing, None, listing, api_visibility="private")
        _endpoints(handlers, writable)
    app.queue(default_concurrency_limit=4)
    return app


def _ask_tab(handlers: Handlers):
    """The Ask tab, wired: the chat, its sources and its settings. Returns the sources filter, whose choices the
    Documents tab keeps up to date."""
    import gradio as gr

    turns, answers = gr.State([]), gr.State([])
    with gr.Tab("Ask"):
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    elem_id="rag-chat", height=520, latex_delimiters=[], show_label=False,
                    buttons=["copy"], placeholder="Ask about the articles; examples are below.",
                )
                with gr.Row():
                    message = gr.Textbox(
                        elem_id="rag-question", show_label=False, scale=5, autofocus=True,
                        placeholder="Ask a question about the articles…",
                    )
                    send = gr.Button("Ask", variant="primary", elem_id="rag-ask", scale=1)
                gr.Examples(EXAMPLES, inputs=message, label="Examples")
                clear = gr.Button("New conversation", elem_id="rag-new", size="sm")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(render.sources_html([]), elem_id="rag-sources")
        backend, k, filters = _settings(handlers.page)

    chat_io = dict(
        fn=handlers.respond, inputs=[message, chatbot, turns, answers, backend, k, *filters],
        outputs=[message, chatbot, turns, answers, sources], api_visibility="private",
    )
    message.submit(**chat_io)
    send.click(**chat_io)
    for event in (clear.click, chatbot.clear):  # the button, or the chat's own bin icon
        event(handlers.start_over, None, [chatbot, turns, answers, sources, message], api_visibility="private")
    return filters[2]


def _settings(page: Page) -> tuple:
    """The Ask tab's settings: (backend, passages per question, [since, until, sources filter, as of])."""
    import gradio as gr

    with gr.Accordion("Settings", open=False):
        backend = gr.Radio(BACKENDS, value=page.default_backend, label="Answers written by", elem_id="rag-backend")
        k = gr.Slider(1, 20, value=page.settings.top_k, step=1, label="Passages retrieved per question")
        with gr.Row():
            since = gr.Textbox(label="Published on or after", placeholder="YYYY-MM-DD", elem_id="rag-since")
            until = gr.Textbox(label="Published on or before", placeholder="YYYY-MM-DD", elem_id="rag-until")
            sources_filter = gr.Dropdown(
                label="Only from these sources", choices=[], multiselect=True, elem_id="rag-sources-filter"
            )
            as_of = gr.Textbox(
                label="Asked as of (later articles left out)", placeholder="YYYY-MM-DD", elem_id="rag-as-of"
            )
        info = gr.Markdown(page.describe(page.default_backend), elem_id="rag-info")
        backend.change(page.describe, backend, info, api_visibility="private")
    return backend, k, [since, until, sources_filter, as_of]


def _documents_tab(handlers: Handlers, sources_filter, writable: bool) -> list:
    """The Documents tab, wired: the table of documents, and (when `writable`) adding and deleting. Returns the
    components Handlers.listing fills."""
    import gradio as gr

    with gr.Tab("Documents"):
        files = gr.File(label="Add articles", file_count="multiple", file_types=UPLOAD_TYPES, elem_id="rag-upload",
                        visible=writable)
        add = gr.Button("Add to the index", variant="primary", elem_id="rag-add", visible=writable)
        added = gr.Markdown(elem_id="rag-added")
        caption = gr.Markdown(elem_id="rag-caption")
        table = gr.Dataframe(
            headers=["doc_id", "title", "date", "source", "chunks"], interactive=False, elem_id="rag-documents",
            wrap=True,
        )
        with gr.Row(visible=writable):
            doomed = gr.Dropdown(label="Document to delete", choices=[], elem_id="rag-doomed", scale=3)
            remove = gr.Button("Delete", variant="stop", elem_id="rag-delete", scale=1)
        removed = gr.Markdown(elem_id="rag-removed")

    def add_clicked(files, progress=gr.Progress(track_tqdm=True)):  # Gradio shows ingest's progress bars for this
        return handlers.add_clicked(files)

    listing = [caption, table, doomed, sources_filter]
    add.click(add_clicked, files, [added, *listing], api_visibility="private", show_progress_on=table)
    remove.click(handlers.delete_clicked, doomed, [removed, *listing], api_visibility="private")
    return listing


def _endpoints(handlers: Handlers, writable: bool) -> None:
    """The named API endpoints (see Handlers); a read-only page has no delete or ingest."""
    import gradio as gr

    gr.api(handlers.ask_api, api_name="ask")
    gr.api(handlers.chat_api, api_name="chat")
    gr.api(handlers.documents_api, api_name="documents")
    if writable:
        gr.api(handlers.delete_api, api_name="delete")
        upload_api = gr.File(file_count="multiple", visible=False)
        report_api = gr.Textbox(visible=False)
        gr.Button(visible=False).click(handlers.ingest_api, upload_api, report_api, api_name="ingest")


def launch_options(settings) -> dict:
    """Keyword arguments for Blocks.launch from the settings: address, login, sharing, page styles."""
    auth = tuple(settings.ui_auth.split(":", 1)) if settings.ui_auth else None
    return dict(
        server_name=settings.ui_host, server_port=settings.ui_port, auth=auth, share=settings.ui_share,
        css=render.CSS, head=render.SCRIPT,
    )


def main() -> None:
    from rag.factory import build_assistant
    from rag.settings import Settings

    parser = argparse.ArgumentParser(description="Serve the rag chat page.")
    parser.add_argument("--host", help="address to bind (default RAG_UI_HOST or 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, help="port (default RAG_UI_PORT or 7860)")
    parser.add_argument("--share", action="store_true", default=None, help="also publish a public Gradio share link")
    parser.add_argument("--readonly", action="store_true", default=None,
                        help="answer questions, but hide adding and deleting articles (a page shared with colleagues)")
    args = parser.parse_args()
    try:
        settings = Settings.from_env(
            ui_host=args.host, ui_port=args.port, ui_share=args.share, ui_readonly=args.readonly
        )
        app = build_app(build_assistant(settings))
    except RagError as exc:
        raise SystemExit(f"error: {exc}") from None
    app.launch(**launch_options(settings))


if __name__ == "__main__":
    main()
