"""YAML that remembers where each value was written, and the small checks on it.

Settings files a supervisor edits (client files, the retention policy) are checked as a
whole: :func:`compose` parses the text with the line of every field path, and a
:class:`Reader` collects every problem with its file, line and field (``clients/x.yml:42:
complexen[0].naam: mag niet leeg zijn``) instead of stopping at the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from meldkamer.intake.validation import EMAIL_PATTERN, normalise_phone

FieldPath = tuple[str | int, ...]
T = TypeVar("T")
K = TypeVar("K")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SLUG_MAX = 64  # the width of client_id columns
_EMAIL = re.compile(rf"^{EMAIL_PATTERN}$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a client file."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class SourceError(ValueError):
    """A settings file was refused; :attr:`problems` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def render_path(path: FieldPath) -> str:
    """``("complexen", 0, "naam")`` -> ``complexen[0].naam``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class _Loader(yaml.SafeLoader):
    """A SafeLoader that keeps dates and times as text.

    The checks below then parse them the same way whether or not the author quoted them.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def compose(source: str, file: str) -> tuple[Any, dict[FieldPath, int], list[Problem]]:
    """Parse YAML; return the data, the line of every field path, and problems found."""
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, [Problem(file, 1, "", "het bestand is leeg")]
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        return None, {}, [Problem(file, line, "", f"geen geldige YAML: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, {}, [Problem(file, 1, "", f"geen geldige YAML: {exc}")]
    finally:
        loader.dispose()
    lines: dict[FieldPath, int] = {(): 1}
    problems: list[Problem] = []
    _map_lines(node, (), lines, problems, file)
    return data, lines, problems


def _map_lines(
    node: Node,
    path: FieldPath,
    lines: dict[FieldPath, int],
    problems: list[Problem],
    file: str,
    walked: set[int] | None = None,
) -> None:
    # An alias (``*anker``) is the same node again: walking it once keeps a file full of
    # nested aliases from taking exponential time; its other paths use the alias's line.
    walked = set() if walked is None else walked
    if id(node) in walked:
        return
    walked.add(id(node))
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else "?"
            line = key_node.start_mark.line + 1
            child = (*path, key)
            if key in seen:
                # yaml keeps the last of two equal keys without a word: a second
                # contractor with the same id would silently replace the first. The
                # lines of the first one's fields no longer belong to any value.
                for stale in [p for p in lines if p[: len(child)] == child]:
                    del lines[stale]
                problems.append(
                    Problem(
                        file, line, render_path(child), f"staat dubbel (ook op regel {seen[key]})"
                    )
                )
            seen[key] = line
            lines[child] = line
            _map_lines(value_node, child, lines, problems, file, walked)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            child_path: FieldPath = (*path, index)
            lines[child_path] = item.start_mark.line + 1
            _map_lines(item, child_path, lines, problems, file, walked)


# --- checks ------------------------------------------------------------------------------


class Reader:
    """Collects problems and does the small checks every field needs.

    Each check returns the clean value, or ``None`` after recording a problem, so a
    caller skips what depends on a bad value and goes on with the rest of the file.
    """

    def __init__(self, file: str, lines: Mapping[FieldPath, int], problems: list[Problem]) -> None:
        self.file = file
        self.lines = lines
        self.problems = problems

    def line(self, path: FieldPath) -> int:
        # A missing field has no line of its own: the nearest enclosing one is shown.
        while path not in self.lines:
            path = path[:-1]
        return self.lines[path]

    def error(self, path: FieldPath, message: str) -> None:
        self.problems.append(Problem(self.file, self.line(path), render_path(path), message))

    def mapping(
        self,
        value: Any,
        path: FieldPath,
        allowed: Iterable[str] | None = None,
        required: Iterable[str] = (),
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(
                path, f"verwacht een blok met velden (sleutel: waarde), niet {kind_of(value)}"
            )
            return None
        valid = tuple(allowed) if allowed is not None else None
        for key in value:
            if not isinstance(key, str):
                self.error((*path, str(key)), f"een sleutel moet tekst zijn, niet {kind_of(key)}")
            elif valid is not None and key not in valid:
                self.error((*path, key), f"onbekend veld; geldig zijn: {', '.join(valid)}")
        for key in required:
            if value.get(key) is None:
                self.error((*path, key), "verplicht veld ontbreekt")
        return value

    def sequence(self, value: Any, path: FieldPath, non_empty: bool = False) -> list[Any] | None:
        if not isinstance(value, list):
            self.error(path, f"verwacht een lijst, niet {kind_of(value)}")
            return None
        if non_empty and not value:
            self.error(path, "de lijst mag niet leeg zijn")
            return None
        return value

    def text(self, value: Any, path: FieldPath, max_length: int | None = None) -> str | None:
        if not isinstance(value, str):
            self.error(
                path,
                f"verwacht tekst, niet {kind_of(value)} (zet de waarde tussen aanhalingstekens)",
            )
            return None
        if not value.strip():
            self.error(path, "mag niet leeg zijn")
            return None
        if max_length is not None and len(value.strip()) > max_length:
            self.error(path, f"is langer dan {max_length} tekens")
            return None
        return value.strip()

    def slug(self, value: Any, path: FieldPath) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        if not _SLUG.match(text) or len(text) > _SLUG_MAX:
            self.error(
                path,
                f"{text!r} is geen geldige id: kleine letters, cijfers en losse streepjes, "
                f"hoogstens {_SLUG_MAX} tekens (bijvoorbeeld 'de-linde')",
            )
            return None
        return text

    def choice(self, value: Any, path: FieldPath, options: Sequence[str], what: str) -> str | None:
        text = self.text(value, path)
        if text is not None and text not in options:
            self.error(path, f"onbekend{what} {text!r}; kies uit {', '.join(options)}")
            return None
        return text

    def email(self, value: Any, path: FieldPath) -> str | None:
        text = self.text(value, path)
        if text is not None and (len(text) > 254 or not _EMAIL.match(text)):
            self.error(path, f"{text!r} is geen geldig e-mailadres")
            return None
        return text.lower() if text else None

    def phone(self, value: Any, path: FieldPath, mobile: bool = False) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        normalised = normalise_phone(text)
        if not isinstance(normalised, str):
            self.error(
                path,
                f"{text!r} is geen geldig telefoonnummer; schrijf +31 20 123 4567 of 020 123 4567",
            )
            return None
        if mobile and normalised.startswith("+31") and not normalised.startswith("+316"):
            self.error(path, f"{text!r} is geen mobiel nummer (06 of +31 6), nodig voor sms")
            return None
        return normalised

    def integer(self, value: Any, path: FieldPath, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, f"verwacht een geheel getal, niet {kind_of(value)}")
            return None
        if not low <= value <= high:
            self.error(path, f"moet tussen {low} en {high} liggen, niet {value}")
            return None
        return value

    def each(
        self,
        value: Any,
        path: FieldPath,
        check: Callable[[Any, FieldPath], T | None],
        non_empty: bool = False,
    ) -> list[T] | None:
        """Check every item of a list; ``None`` when the list or any item is bad."""
        items = self.sequence(value, path, non_empty)
        if items is None:
            return None
        checked = [check(item, (*path, i)) for i, item in enumerate(items)]
        if any(item is None for item in checked):
            return None
        return [item for item in checked if item is not None]

    def keyed(
        self,
        value: Any,
        path: FieldPath,
        known: Mapping[str, K],
        check: Callable[[Any, FieldPath, K], T | None],
        complete: bool = False,
    ) -> Mapping[str, T] | None:
        """Check a block keyed by names of ``known`` (all of them when ``complete``).

        ``check`` gets each value with what ``known`` says of its key; ``None`` when the
        block, a key or any value is bad.
        """
        data = self.mapping(value, path, known, required=known if complete else ())
        if data is None:
            return None
        checked: dict[str, T] = {}
        for key, item in data.items():
            if key not in known or item is None:
                continue  # reported by ``mapping``
            result = check(item, (*path, key), known[key])
            if result is not None:
                checked[key] = result
        return MappingProxyType(checked) if len(checked) == len(data) else None


def has(data: Mapping[str, Any], key: str) -> bool:
    """Whether a field is given with a value (``veld:`` alone counts as absent)."""
    return data.get(key) is not None


def optional(data: Mapping[str, Any], key: str, default: Any) -> Any:
    """An optional field; written without a value (``protocol:``) it counts as absent."""
    value = data.get(key)
    return default if value is None else value


def kind_of(value: Any) -> str:
    """What a value is, in words for a message (``de tekst 'x'``, ``een lijst``)."""
    if value is None:
        return "niets"
    if isinstance(value, bool):
        return "ja/nee"
    if isinstance(value, int | float):
        return f"het getal {value}"
    if isinstance(value, str):
        return f"de tekst {value!r}"
    if isinstance(value, list):
        return "een lijst"
    if isinstance(value, dict):
        return "een blok"
    return type(value).__name__
