"""The workbench's exceptions: one family, each carrying the facts of what went wrong."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose.

    ``hint`` tells the user what to do about it; the CLI prints it under the message.
    """

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"

    def __reduce__(self):
        # Keep the hint and the other facts when an error crosses from a worker process.
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type, args: tuple, state: dict) -> WorkbenchError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class UsageError(WorkbenchError):
    """Something asked for that cannot be done as asked: an unknown name, a value out of range,
    an input that is not there. The command line exits 2 for it, as for a wrong option."""


class CaseError(WorkbenchError):
    """The case folder is missing, already exists, or is not a case."""


class PlanError(WorkbenchError):
    """case.yaml does not hold a valid plan; ``field`` names the first field at fault."""

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.field = field


class RetentionError(WorkbenchError):
    """The case is past its retention date or lacks a legal basis, so nothing may be collected."""


class ImportFormatError(WorkbenchError):
    """A file is not in any known format, or not in the format it was said to be in."""

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.path = path


class UnknownFormatError(ImportFormatError, UsageError):
    """A format asked for by a name that no reader has."""


class MissingInputError(ImportFormatError, UsageError):
    """A file or folder to import that is not there."""


class UnsafeArchiveError(ImportFormatError):
    """An archive member would be written outside its folder (absolute path or '..')."""


class SizeLimitError(ImportFormatError):
    """A file, archive member or field is larger than the import's cap; the hint names the
    option that raises it."""


class RecordError(WorkbenchError):
    """One record could not be mapped; it is quarantined with this message as its reason."""


class StoreError(WorkbenchError):
    """The case database could not be opened or written."""


class EvidenceError(WorkbenchError):
    """A raw payload or media file is missing or does not match its hash."""


class EnrichError(WorkbenchError):
    """Enrichment cannot run as configured: an unknown language code, a bad watch list."""
