"""Labelled enums: every member has its label next to the enum; no raw value reaches a page."""

from __future__ import annotations

import enum

import pytest

from meldkamer.contacts import LABELS as CONTACT_LABELS
from meldkamer.dispatch.lifecycle import STATUS_LABELS as WORK_ORDER_LABELS
from meldkamer.handover.models import STATUS_LABELS as HANDOVER_LABELS
from meldkamer.labels import LabelTable
from meldkamer.notify.models import KIND_LABELS, PURPOSE_LABELS
from meldkamer.notify.models import STATUS_LABELS as OUTBOX_LABELS
from meldkamer.tickets.models import STATUS_LABELS as TICKET_LABELS
from meldkamer.tickets.models import TicketStatus
from meldkamer.triage.table import URGENCY_LABELS


class Colour(str, enum.Enum):
    ROOD = "rood"
    DONKER_BLAUW = "donker_blauw"


def test_a_member_without_a_label_is_refused_at_import() -> None:
    with pytest.raises(ValueError, match="DONKER_BLAUW"):
        LabelTable(Colour, {Colour.ROOD: "rood"})
    with pytest.raises(ValueError, match="leeg"):
        LabelTable(Colour, {Colour.ROOD: "rood", Colour.DONKER_BLAUW: " "})


def test_a_table_reads_like_a_dict_and_never_shows_a_raw_value() -> None:
    table = LabelTable(Colour, {Colour.ROOD: "Rood", Colour.DONKER_BLAUW: "Donkerblauw"})
    assert table["rood"] == "Rood" and list(table) == ["rood", "donker_blauw"]
    assert table.label(Colour.DONKER_BLAUW) == "Donkerblauw" == table.label("donker_blauw")
    assert table.label("oud_soort_wachtend") == "oud soort wachtend"  # an older release's row
    assert table.label(None) == "-" and table.choices()[0] == ("rood", "Rood")


def test_the_tables_of_the_domain_are_complete_and_in_words() -> None:
    assert TICKET_LABELS.label(TicketStatus.WACHT_OP_TERUGBELLEN) == "Wacht op terugbellen"
    assert HANDOVER_LABELS["in_behandeling"] == "In behandeling"
    assert WORK_ORDER_LABELS["geescaleerd"] == "geëscaleerd"
    assert URGENCY_LABELS["niet_urgent"] == "Niet urgent"
    tables = [TICKET_LABELS, HANDOVER_LABELS, WORK_ORDER_LABELS, URGENCY_LABELS, KIND_LABELS]
    tables += [PURPOSE_LABELS, OUTBOX_LABELS, *CONTACT_LABELS.values()]
    for table in tables:
        assert len(table) == len(table.enum_type)
        for value, label in table.items():
            assert "_" not in label, (value, label)
