"""What the bot tells the tenant: the summary and the outcome, in the tenant's language.

Short sentences (B1 level): many tenants are stressed, on a phone, or read little Dutch.
The texts are data, one catalog per language (``meldkamer/intake/teksten/<taal>.yml``);
the constants below are the Dutch ones, for the callers that speak Dutch only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE
from meldkamer.intake.catalog import Catalog, catalog
from meldkamer.intake.fact_labels import fact_labels
from meldkamer.intake.validation import format_phone
from meldkamer.triage import Outcome, Urgency
from meldkamer.triage.table import DecisionTable, FactValue
from meldkamer.triage.translation import translated_advice, translated_table

_NL = catalog()

MEANING = {u: _NL(f"betekenis_{u.value}") for u in Urgency}


def dutch_date(day: date) -> str:
    """``maandag 30 november``."""
    return _NL.date(day)


def describe_fact(table: DecisionTable, name: str, value: FactValue) -> str:
    """The label of the answer button that means ``value``, e.g. ``Nee, lukt niet``."""
    fact = table.facts[name]
    for option in fact.options:
        if option.value == value:
            return option.label
    return str(value)


def fact_line(
    table: DecisionTable, name: str, value: FactValue | None, language: str | None = None
) -> str:
    """A fact as the summary shows it: short label and answer (``samenvatting.yml``)."""
    line = fact_labels(language).line(name, value)
    if line is not None:
        return line
    # A fact the labels file does not name yet: the question and the button's label.
    table = translated_table(table, language)
    answer = catalog(language)("weet_niet") if value is None else describe_fact(table, name, value)
    return f"{table.facts[name].question} {answer}"


def summary(
    table: DecisionTable,
    topic: str,
    facts: Mapping[str, FactValue],
    details: Mapping[str, str | None],
    unknown: Sequence[str] = (),
    language: str | None = None,
) -> str:
    """The confirmation the tenant checks before the ticket is made."""
    say = catalog(language)
    name = translated_table(table, language).topic(topic).name
    email = details.get("email")
    lines = [say("genoteerd"), f"• {say('probleem')}: {name}"]
    lines += [f"• {fact_line(table, n, value, language)}" for n, value in facts.items()]
    lines += [f"• {fact_line(table, n, None, language)}" for n in unknown if n not in facts]
    lines += [
        f"• {say('adres')}: {details.get('adres') or '-'}",
        f"• {say('naam')}: {details.get('naam') or '-'}",
        f"• {say('telefoon')}: {format_phone(phone) if (phone := details.get('telefoon')) else '-'}",
        f"• {say('email')}: {email if email and '@' in str(email) else say('geen_email')}",
        f"• {say('omschrijving')}: {details.get('beschrijving') or '-'}",
        say("klopt_dit"),
    ]
    return "\n".join(lines)


def outcome_message(
    outcome: Outcome,
    ticket_number: str,
    *,
    office_name: str | None = None,
    office_phone: str | None = None,
    language: str | None = None,
    table: DecisionTable | None = None,
) -> str:
    """The closing message: ticket number, what the urgency means, what happens next.

    ``table`` translates the matrix's advice into ``language`` (Dutch needs none).
    """
    say = catalog(language)
    office = office_name or say("uw_verhuurder")
    parts = [say("geregistreerd", nummer=ticket_number), say(f"betekenis_{outcome.urgency.value}")]
    if outcome.urgency is Urgency.NIET_URGENT:
        opening = outcome.next_office_opening
        if opening is not None and outcome.next_office_day is not None:
            phone = f" ({office_phone})" if office_phone else ""
            parts.append(
                say("zelf_contact", kantoor=office, telefoon=phone, wanneer=_when(say, opening))
            )
    else:
        parts.append(say(f"volgende_{outcome.urgency.value}"))
    if outcome.needs_assessment:
        parts.append(say("beoordeling"))
    if outcome.inform_client:
        parts.append(say("informeren", kantoor=office))
    advice = outcome.advice
    if table is not None:
        advice = tuple(translated_advice(table, language, line) for line in advice)
    parts.extend(advice)
    parts.extend(outcome.notices)
    parts.append(say("erger", nood=EMERGENCY_PHONE))
    return "\n\n".join(parts)


def _when(say: Catalog, opening: datetime) -> str:
    return say("wanneer", dag=say.date(opening.date()), tijd=opening.strftime("%H:%M"))


#: The database is away; the melding is kept in the spool and registered later.
SPOOLED = (
    "Sorry, het vastleggen in ons systeem lukt op dit moment niet. Uw melding is "
    "wel bewaard: uw gegevens zijn niet kwijt en de melding wordt vastgelegd zodra het "
    "systeem weer werkt. Een meldnummer kan ik u nu niet geven; zo nodig belt een "
    "medewerker u terug. Typ 'ja' om het nog eens te proberen. Spoed? Bel de "
    f"meldkamer: {MELDKAMER_PHONE}. Is er gevaar voor mensen? Bel {EMERGENCY_PHONE}."
)
#: Neither the database nor the spool could take the melding.
NOT_STORED = (
    "Sorry, het opslaan lukt nu niet. Uw gegevens zijn niet kwijt. "
    f"Typ 'ja' om het opnieuw te proberen, of bel de meldkamer: {MELDKAMER_PHONE}."
)
#: The melding cannot be registered as it is; it is kept for a person of the meldkamer.
SET_ASIDE = (
    "Sorry, uw melding kan ik niet automatisch vastleggen. Uw gegevens zijn bewaard en "
    "een medewerker van de meldkamer kijkt ernaar; zo nodig belt die u terug. Een "
    f"meldnummer kan ik u nu niet geven. Spoed? Bel de meldkamer: {MELDKAMER_PHONE}. "
    f"Is er gevaar voor mensen? Bel {EMERGENCY_PHONE}."
)
#: Why a person looks at a melding for an address no client serves.
NO_CLIENT_REASON = "Adres hoort bij geen bekende opdrachtgever"


def assessment_reason(outcome: Outcome) -> str:
    """Why a person decides: the matrix says "op basis van inschatting"."""
    return "Beoordeling nodig: " + outcome.reasons[-1]


# --- What the bot says in the conversation (the actions only pick one) -------------------

#: The details a tenant can correct after the summary; "antwoorden": the triage answers.
#: The catalog key of each correctable detail's label.
_CORRECTABLE_KEYS = {
    "onderwerp": "onderdeel_onderwerp",
    "adres": "adres",
    "naam": "naam",
    "telefoon": "telefoon",
    "email": "email",
    "beschrijving": "omschrijving",
    "antwoorden": "onderdeel_antwoorden",
}


def correctable(language: str | None = None) -> dict[str, str]:
    """The details a tenant can correct, each with its label in ``language``."""
    say = catalog(language)
    return {field: say(key) for field, key in _CORRECTABLE_KEYS.items()}


CORRECTABLE = correctable()
ADDRESS_NOT_SERVED = _NL("adres_niet_bediend")


def helping_with(topic_name: str, language: str | None = None) -> str:
    """The bot's first words once it recognised the topic."""
    return catalog(language)("helpt_met", onderwerp=topic_name)


# --- The address without postcode, and the optional e-mail ----------------------------

#: The same street and number in more than one place: the tenant picks.
WHICH_ADDRESS = _NL("welk_adres")
#: A wrong e-mail address, the first time (the question that follows says "Kies 'Geen e-mail'").
EMAIL_INVALID = _NL("email_ongeldig")
#: A wrong e-mail address the second time: the optional field is skipped.
EMAIL_SKIPPED = _NL("email_overgeslagen")
