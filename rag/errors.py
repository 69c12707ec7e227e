"""The few errors `rag` raises on purpose; each message names the bad value and the fix."""


class RagError(Exception):
    """Base of every error meant for the user: the CLI prints its message as one line."""


class ConfigError(RagError):
    """A setting, CLI argument or question is invalid."""


class IngestError(RagError):
    """Input files cannot be ingested as asked."""


class StoreError(RagError):
    """The store directory cannot be opened or written."""


class StoreMismatchError(StoreError):
    """The store was built with other settings than the current ones."""


class GenerationError(RagError):
    """An answer could not be generated."""
