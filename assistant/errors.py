"""Domain errors: each becomes one clear line in the CLI and a friendly message in the UI."""


class AssistantError(Exception):
    """Base class; the message is meant for people, in Vietnamese, and names the next step."""


class NoIndexError(AssistantError):
    """No usable index version exists yet."""


class CorpusError(AssistantError):
    """A corpus file cannot be ingested; the message names the file and the reason."""


class IngestLockedError(AssistantError):
    """Another ingest holds the lock."""


class StoreUnavailableError(AssistantError):
    """The vector store cannot be reached or read right now."""


class ConfigurationError(AssistantError):
    """A setting or a fitted parameter file is missing, stale or invalid; the message says how to fix it."""


class StorageError(AssistantError):
    """The data folder cannot be read or written (disk full, permissions); the message names the path."""
