"""The row look-ups every store repeats: one row, a list of rows, a new row, a row's view.

SQLAlchemy 1.4 has no type hints, so a bare ``session.execute(...)`` is ``Any`` to mypy.
These helpers take the mapped class and give back typed rows, so a store says what it
wants (which model, which conditions, which order) and not how to unwrap the result.
None of them commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

Row = TypeVar("Row")


def one_row(session: Session, model: type[Row], *where: Any) -> Row | None:
    """The row of ``model`` that meets every condition in ``where``, or ``None``.

    For a look-up by a unique key: more than one match raises SQLAlchemy's
    ``MultipleResultsFound`` rather than picking one.
    """
    found: Row | None = session.execute(select(model).where(*where)).scalar_one_or_none()
    return found


def rows_of(
    session: Session,
    model: type[Row],
    *where: Any,
    order_by: Sequence[Any] = (),
    limit: int | None = None,
) -> list[Row]:
    """The rows of ``model`` that meet every condition in ``where``, in ``order_by`` order.

    At most ``limit`` rows when given (``None``: all of them).
    """
    query = select(model).where(*where).order_by(*order_by).limit(limit)
    return list(session.execute(query).scalars())


def added(session: Session, row: Row) -> Row:
    """``row`` inserted and flushed, so its id and column defaults are set; returns it."""
    session.add(row)
    session.flush()
    return row


class _Dataclass(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]


View = TypeVar("View", bound=_Dataclass)


def view_of(view: type[View], row: object, **given: Any) -> View:
    """The dataclass ``view`` of ``row``: each field it declares copied from ``row`` by name.

    ``given`` fields are not copied but taken as they are (a renamed or derived value), so a
    view shows exactly what it declares and a new column never leaks into it unasked.
    """
    copied = {f.name: getattr(row, f.name) for f in fields(view) if f.name not in given}
    return view(**copied, **given)
