from rag.chunking import chunk_document, content_hash
from rag.clean import clean_document
from rag.loaders import iter_documents

from conftest import SEED_003


def _doc(seeds):
    return clean_document(next(iter_documents([seeds / f"{SEED_003}.txt"])))


def test_every_chunk_is_the_exact_span_its_offsets_name(seeds):
    doc = _doc(seeds)
    chunks = chunk_document(doc, chunk_size=64, chunk_overlap=10)
    assert len(chunks) > 5
    for index, chunk in enumerate(chunks):
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert (chunk.index, chunk.doc_id, chunk.content_hash) == (index, SEED_003, content_hash(doc))
    # Together the chunks cover the whole text, and neighbours overlap or touch.
    assert chunks[0].start == 0 and chunks[-1].end == len(doc.text)
    assert all(b.start <= a.end + 2 for a, b in zip(chunks, chunks[1:]))


def test_chunk_size_setting_changes_the_split_and_ids_are_deterministic(seeds):
    doc = _doc(seeds)
    small = chunk_document(doc, chunk_size=64, chunk_overlap=10)
    large = chunk_document(doc, chunk_size=400, chunk_overlap=20)
    assert len(large) < len(small)
    assert [c.chunk_id for c in small] == [c.chunk_id for c in chunk_document(doc, 64, 10)]
    assert small[0].chunk_id == f"{SEED_003}#{content_hash(doc)}#0"
