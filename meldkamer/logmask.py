"""Phone numbers and e-mail addresses out of the logs (AVG: logs are no second dossier).

:class:`MaskFilter` masks them in every record that passes a handler: the formatted
message (``msg % args``), the traceback and the stack. Enough stays to correlate lines
about one person: the prefix and the last four digits (``06-****5678``,
``+316****5678``, WhatsApp sender ids ``wa-316****5678``) and the first letter and the
domain of an address (``f***@example.nl``). :func:`install` puts the filter on the root
logger's handlers (and masks new records at their making, for handlers added later);
every entry point calls it at start.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

#: Between digits: nothing, a space or a dash ("06-12345678", "06 12 34 56 78").
_SEP = r"[ \-]?"
#: A Dutch number in national form: 0 and nine more digits (mobile 06, or an area code).
_NATIONAL = rf"0(?:{_SEP}\d){{9}}"
#: International form: + or 00, a country code and 7 to 12 digits; "+31 (0)6 ..." too.
_INTERNATIONAL = rf"(?:\+|00)\d{{1,3}}{_SEP}(?:\(0\){_SEP})?\d(?:{_SEP}\d){{6,11}}"
#: Without + or 00, as in WhatsApp ids (``wa-31612345678``): the country code 31 and nine digits.
_BARE_DUTCH = rf"31{_SEP}\d(?:{_SEP}\d){{8}}"
_PHONE = re.compile(
    rf"(?<![\w+*]){_INTERNATIONAL}(?!\d)"
    rf"|(?<![\w+*]){_NATIONAL}(?!\d)"
    rf"|(?<![\w+*]){_BARE_DUTCH}(?!\d)"
    # Sender ids of WhatsApp: every wa_id is a phone number, whatever the country.
    rf"|(?<=\bwa-)\d{{7,15}}(?!\d)"
)
_EMAIL = re.compile(r"(?<![\w.+-])([\w+-])[\w.+-]*@((?:[\w-]+\.)+[\w-]{2,})")


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"\D", "", text.replace("(0)", ""))
    last = digits[-4:]
    if text.startswith("00"):
        return f"+{digits[2:5]}****{last}"
    if digits.startswith("0"):
        head = "06" if digits.startswith("06") else digits[:3]
        return f"{head}-****{last}"
    head = ("+" if text.startswith("+") else "") + digits[:3]
    return f"{head}****{last}"


def mask(text: str) -> str:
    """``text`` with its phone numbers and e-mail addresses masked."""
    if not text:
        return text
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    return _PHONE.sub(_mask_phone, text)


_FORMATTER = logging.Formatter()


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask ``record`` in place: its message (with the arguments), traceback and stack."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: logging reports it, not us
        return record
    record.msg, record.args = mask(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = _FORMATTER.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    return record


class MaskFilter(logging.Filter):
    """Masks every record it sees; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


class _MaskingFactory:
    """A log record factory that masks each record as it is made."""

    def __init__(self, inner: Callable[..., logging.LogRecord]) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(self.inner(*args, **kwargs))


def install(logger: logging.Logger | None = None) -> MaskFilter:
    """Mask from now on: a :class:`MaskFilter` on each handler of ``logger`` (the root).

    Handlers configured later (the worker's, Rasa's own) would have no filter, so the
    record factory masks every new record too. Calling it again adds nothing twice.
    """
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, MaskFilter) for f in handler.filters):
            handler.addFilter(_FILTER)
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _MaskingFactory):
        logging.setLogRecordFactory(_MaskingFactory(factory))
    return _FILTER


def uninstall(logger: logging.Logger | None = None) -> None:
    """Stop masking again (for tests)."""
    for handler in (logger or logging.getLogger()).handlers:
        for existing in list(handler.filters):
            if isinstance(existing, MaskFilter):
                handler.removeFilter(existing)
    factory = logging.getLogRecordFactory()
    if isinstance(factory, _MaskingFactory):
        logging.setLogRecordFactory(factory.inner)


_FILTER = MaskFilter()
