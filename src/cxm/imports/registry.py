"""The importer registry: what each kind of spreadsheet import reads and writes.

The generic machinery (upload, mapping, dry run, commit, error report) knows nothing about
customers or surveys. A capability registers an `Importer` that declares its target fields,
validates one row and writes a batch of validated rows:

    @register_importer
    class SurveyResponseImporter(Importer):
        kind = "survey_responses"
        ...

Register from the app's `AppConfig.ready()` so the registry is full before any request.

An importer may ask for options at upload (`option_fields`, e.g. the survey that imported
responses answer). They are validated by `clean_options`, kept on the job (`ImportJob.options`)
and handed back to `fields`, `context` (as `RowContext.options`) and so to every row.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.functional import Promise


@dataclass(frozen=True)
class TargetField:
    """A column the importer can fill. `aliases` are header names (any of fa/ar/hu/en)
    that map to it automatically; the field's name and label always do."""

    name: str
    label: str | Promise
    required: bool = False
    aliases: tuple[str, ...] = ()
    help_text: str | Promise = ""


@dataclass(frozen=True)
class UploadOption:
    """A choice made at upload, before the file is read (e.g. which survey). `choices`
    returns (value, label) pairs; it may hit the database."""

    name: str
    label: str | Promise
    choices: Callable[[], Sequence[tuple[str, str]]]
    required: bool = True
    help_text: str | Promise = ""


class RowInvalid(Exception):
    """One row is bad. `errors` maps a target field name (or "" for the whole row) to
    (code, translated message)."""

    def __init__(self, errors: Mapping[str, tuple[str, str]]):
        super().__init__(dict(errors))
        self.errors = dict(errors)


@dataclass
class BatchResult:
    """What writing one batch did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class RowContext:
    """Per-run data an importer prepares once (lookup tables, options) and reuses per row."""

    actor: Any = None
    data: dict[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)  # the job's upload options


class Importer(ABC):
    """Base class of importers. Subclasses set the class attributes and override methods."""

    kind: ClassVar[str] = ""
    label: ClassVar[str | Promise] = ""
    capability: ClassVar[str] = ""  # needed to see, run and commit imports of this kind
    key_field: ClassVar[str | None] = None  # unique within a file (e.g. external id)
    batch_size: ClassVar[int] = 2000

    def option_fields(self) -> Sequence[UploadOption]:
        """What to ask at upload besides the file (none by default)."""
        return ()

    def clean_options(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate the upload options (JSON-able result, kept on the job); raises
        ApplicationError with a translated message."""
        return {}

    @abstractmethod
    def fields(self, options: Mapping[str, Any] | None = None) -> Sequence[TargetField]:
        """The target fields, in the order the mapping page shows them (may hit the DB)."""

    def context(self, *, actor: Any, options: Mapping[str, Any] | None = None) -> RowContext:
        """Prepare once per run what `clean_row` needs (one place for lookup queries)."""
        return RowContext(actor=actor, options=dict(options or {}))

    def prefetch(  # noqa: B027  (an optional hook: most importers look nothing up)
        self, rows: Sequence[Mapping[str, Any]], context: RowContext
    ) -> None:
        """Look up what the next rows refer to, in one query per kind of thing, before
        `clean_row` sees each of them (a batch of up to `batch_size` raw rows)."""

    def row_key(self, values: Mapping[str, Any]) -> str:
        """The normalised value of `key_field` in a raw row, for duplicate detection."""
        if self.key_field is None:
            return ""
        return str(values.get(self.key_field) or "").strip()

    @abstractmethod
    def clean_row(self, values: Mapping[str, Any], context: RowContext) -> Any:
        """Validate one row (raw cell values by field name). Raises RowInvalid."""

    @abstractmethod
    def write_batch(self, items: Sequence[Any], *, context: RowContext, source: str) -> BatchResult:
        """Write validated rows. Runs inside the import's transaction."""

    def finish(self, context: RowContext) -> None:  # noqa: B027  (an optional hook)
        """After the last batch is written, inside the import's transaction (e.g. refresh
        aggregates once rather than per batch)."""


_importers: dict[str, Importer] = {}


def register_importer(cls: type[Importer]) -> type[Importer]:
    """Class decorator: register one instance of the importer under its `kind`."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} has no kind")
    _importers[cls.kind] = cls()
    return cls


def get_importer(kind: str) -> Importer:
    """The importer of `kind`; KeyError when none is registered."""
    return _importers[kind]


def registered_importers() -> dict[str, Importer]:
    return dict(_importers)
