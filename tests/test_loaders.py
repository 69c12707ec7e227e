import gzip
import json
from pathlib import Path

import pytest

from rag.errors import IngestError
from rag.loaders import Notice, iter_documents
from rag.types import Document

from conftest import SEED_000, SEED_003


def load(*paths: Path) -> list:
    return list(iter_documents(list(paths)))


def only_document(*paths: Path) -> Document:
    [doc] = [item for item in load(*paths) if isinstance(item, Document)]
    return doc


def notices(*paths: Path) -> list[str]:
    return [str(item) for item in load(*paths) if isinstance(item, Notice)]


def test_seed_folder_gives_both_articles_with_ids_dates_and_titles(seeds):
    docs = load(seeds)
    assert [d.doc_id for d in docs] == [SEED_000, SEED_003]
    assert docs[0].date == "2022-02-25"
    assert docs[0].text.startswith("His family is the No. 2 target")  # the "date ..." prefix is metadata
    assert docs[1].title.startswith("Russia claims it’s ready for talks")
    assert docs[0].path == str((seeds / f"{SEED_000}.txt").resolve())


def test_doc_id_is_the_path_below_the_ingested_folder(tmp_path):
    (tmp_path / "cnn" / "2022").mkdir(parents=True)
    (tmp_path / "cnn" / "2022" / "story.md").write_text("# Headline\n\nBody text of the story.")
    assert only_document(tmp_path).doc_id == "cnn/2022/story"
    assert only_document(tmp_path / "cnn" / "2022" / "story.md").doc_id == "story"


def test_markdown_heading_is_the_title(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# Kyiv under attack\n\nExplosions were heard in the capital.\n")
    doc = only_document(path)
    assert (doc.title, doc.text.strip()) == ("Kyiv under attack", "Explosions were heard in the capital.")


def test_html_is_reduced_to_the_article_with_its_metadata(tmp_path):
    body = " ".join(["Talks were proposed in Minsk by the Kremlin spokesman on Friday."] * 6)
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Talks proposed | Example News</title>"
        '<meta property="article:published_time" content="2022-02-25T10:00:00Z"></head><body>'
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>Talks proposed</h1><p>{body}</p><p>Second paragraph of reporting here.</p></article>"
        "<footer>Copyright Example News. All rights reserved.</footer></body></html>"
    )
    doc = only_document(path)
    assert "Talks were proposed in Minsk" in doc.text
    assert "Home" not in doc.text and "All rights reserved" not in doc.text
    assert doc.title.startswith("Talks proposed")
    assert doc.date == "2022-02-25"


def _pdf_with_text(text: str) -> bytes:
    """A minimal one-page PDF showing `text` (Helvetica), built by hand so no PDF writer is needed."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_text_is_extracted(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(_pdf_with_text("Peskov proposed talks in Minsk."))
    assert only_document(path).text.strip() == "Peskov proposed talks in Minsk."


def test_encrypted_and_broken_pdfs_are_skipped_with_a_reason(tmp_path):
    from pypdf import PdfReader, PdfWriter
    import io

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_pdf_with_text("secret"))))
    writer.encrypt("password")
    writer.write(tmp_path / "locked.pdf")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    lines = notices(tmp_path)
    assert any("broken.pdf: is not a readable PDF" in line for line in lines)
    assert any("locked.pdf: is an encrypted PDF; decrypt it" in line for line in lines)


def test_jsonl_and_gzip_records_carry_their_metadata(tmp_path):
    record = {"doc_id": "rtqa22-abc", "title": "T", "date": "2022-03-01", "source": "CNN",
              "url": "https://example.com/a", "text": "Body."}
    (tmp_path / "a.jsonl").write_text(json.dumps(record) + "\n")
    with gzip.open(tmp_path / "b.jsonl.gz", "wt") as f:
        f.write(json.dumps(record | {"doc_id": "rtqa22-def"}) + "\n")
    docs = load(tmp_path)
    assert [(d.doc_id, d.title, d.date, d.source, d.url, d.text) for d in docs] == [
        ("rtqa22-abc", "T", "2022-03-01", "CNN", "https://example.com/a", "Body."),
        ("rtqa22-def", "T", "2022-03-01", "CNN", "https://example.com/a", "Body."),
    ]


def test_malformed_jsonl_lines_are_named_and_the_rest_loaded(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"doc_id": "ok1", "text": "fine"}\n'
        "{not json\n"
        '{"doc_id": "no-text"}\n'
        '["a", "list"]\n'
        '{"doc_id": "bad-date", "text": "x", "date": "25/02/2022"}\n'
        '{"doc_id": "bad-title", "text": "x", "title": {"a": 1}}\n'
        '{"doc_id": "ok2", "text": "also fine"}\n'
    )
    items = load(path)
    assert [i.doc_id for i in items if isinstance(i, Document)] == ["ok1", "ok2"]
    assert [str(i).removeprefix(f"{path} ") for i in items if isinstance(i, Notice)] == [
        "line 2: is not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        "line 3: has no 'text' string; each line needs at least {\"text\": \"...\"}",
        "line 4: is a JSON list, expected an object with a 'text' field",
        "line 5: field 'date' is '25/02/2022', expected YYYY-MM-DD",
        "line 6: field 'title' is a dict, expected a string",
    ]


def test_empty_binary_and_non_utf8_files(tmp_path):
    (tmp_path / "empty.txt").write_text("   \n")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 talks in Minsk \x93quoted\x94.".encode("latin-1"))
    items = load(tmp_path)
    [doc] = [i for i in items if isinstance(i, Document)]
    assert doc.text == "Café talks in Minsk “quoted”."
    assert sorted(str(i).replace(str(tmp_path) + "/", "") for i in items if isinstance(i, Notice)) == [
        "binary.txt: looks binary, not .txt text; remove it or give it the right extension",
        "empty.txt: is empty",
        "latin.txt: not UTF-8 (first bad byte 3); read as Windows-1252",
    ]


def test_missing_path_and_unsupported_file_are_errors(tmp_path):
    with pytest.raises(IngestError, match=r"nope: no such file or directory; check the path"):
        load(tmp_path / "nope")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(IngestError, match=r"photo.jpg: unsupported file type .jpg; supported: .txt"):
        load(tmp_path / "photo.jpg")


def test_unsupported_files_in_folders_are_ignored_and_symlink_loops_end(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    (tmp_path / "a.txt").write_text("An article about talks.")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [d.doc_id for d in load(tmp_path)] == ["a"]


def test_front_matter_gives_title_date_source_and_url(tmp_path):
    path = tmp_path / "story.md"
    path.write_text("---\ntitle: Talks offered in Minsk\ndate: 2022-02-25\nsource: AP\nurl: https://e.com/s\n"
                    "tags: [war]\n---\nKremlin spokesman Dmitry Peskov said Moscow was ready for talks.\n")
    doc = only_document(path)
    assert (doc.title, doc.date, doc.source, doc.url) == ("Talks offered in Minsk", "2022-02-25", "AP", "https://e.com/s")
    assert doc.text.strip() == "Kremlin spokesman Dmitry Peskov said Moscow was ready for talks."
