"""rag: answers questions from news articles, citing the passages it used, and says so when they do not."""

from rag.assistant import Assistant
from rag.errors import ConfigError, GenerationError, IngestError, RagError, StoreError, StoreMismatchError
from rag.factory import build_assistant
from rag.filters import Filters
from rag.settings import Settings
from rag.types import Answer, Citation, Document, IngestReport, Passage, Sources

__all__ = [
    "Answer",
    "Assistant",
    "Citation",
    "ConfigError",
    "Document",
    "Filters",
    "GenerationError",
    "IngestError",
    "IngestReport",
    "Passage",
    "RagError",
    "Settings",
    "Sources",
    "StoreError",
    "StoreMismatchError",
    "build_assistant",
]
