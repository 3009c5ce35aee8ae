"""The retention policy: the defaults of ``retention.yml`` and the clients' overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType

from meldkamer.clients.retention import DATA_CLASSES, RetentionAction, parse_terms
from meldkamer.clients.schema import Client
from meldkamer.clients.yamlsource import Problem, Reader, SourceError, compose

#: The packaged defaults, a file a supervisor reads and changes.
DEFAULT_FILE = Path(__file__).with_name("retention.yml")


class PolicyFileError(SourceError):
    """The retention settings file was refused; :attr:`problems` lists every reason."""


@dataclass(frozen=True)
class Term:
    """How long one data class is kept and what happens after."""

    days: int
    action: RetentionAction
    explanation: str

    @property
    def period(self) -> timedelta:
        """The term as a duration."""
        return timedelta(days=self.days)


@dataclass(frozen=True)
class RetentionPolicy:
    """The default term of every data class."""

    defaults: Mapping[str, Term]

    def terms_for(self, client: Client | None) -> Mapping[str, Term]:
        """Every class's term for a client's data (``None``: data of no known client).

        A client's term replaces the default's days; its action (when given) the
        default's action; its explanation (when given) the default's.
        """
        own = client.retention if client is not None else {}
        terms: dict[str, Term] = {}
        for code, default in self.defaults.items():
            override = own.get(code)
            if override is None:
                terms[code] = default
                continue
            terms[code] = Term(
                days=override.days,
                action=override.action or default.action,
                explanation=override.explanation or default.explanation,
            )
        return MappingProxyType(terms)


def parse_policy(source: str, file: str) -> RetentionPolicy:
    """Check the text of a retention settings file.

    Raises:
        PolicyFileError: with every problem, each naming ``file``, line and field.
    """
    data, lines, problems = compose(source, file)
    reader = Reader(file, lines, problems)
    terms = parse_terms(reader, data, (), complete=True) if data is not None else None
    if reader.problems or terms is None:
        raise PolicyFileError(sorted(reader.problems, key=lambda p: p.line))
    defaults = {
        code: Term(term.days, term.action or DATA_CLASSES[code][0], term.explanation or "")
        for code, term in terms.items()
    }
    return RetentionPolicy(MappingProxyType(defaults))


def load_policy(path: Path | None = None) -> RetentionPolicy:
    """Read the retention settings (the packaged ``retention.yml`` when ``path`` is None).

    Raises:
        PolicyFileError: the file cannot be read, or with every problem in it.
    """
    target = path or DEFAULT_FILE
    try:
        source = target.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyFileError(
            [Problem(str(target), 1, "", f"kan het bestand niet lezen: {exc}")]
        ) from exc
    return parse_policy(source, str(target))
