"""What the bot tells the tenant, in plain Dutch: the summary and the outcome.

Short sentences (B1 level): many tenants are stressed, on a phone, or read little Dutch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from meldkamer.contact import EMERGENCY_PHONE, MELDKAMER_PHONE
from meldkamer.dutchdates import day_name, month_name
from meldkamer.intake.fact_labels import default_fact_labels
from meldkamer.intake.validation import format_phone
from meldkamer.triage import Outcome, Urgency
from meldkamer.triage.table import DecisionTable, FactValue

MEANING = {
    Urgency.ACUUT: "Dit is een spoedmelding (acuut). Er wordt nu direct een vakman ingeschakeld.",
    Urgency.URGENT: "Dit is urgent. Een vakman lost het binnen 24 uur op.",
    Urgency.NIET_URGENT: "Dit is geen spoed. De storingsdienst stuurt niemand.",
}

NEXT_STEP = {
    Urgency.ACUUT: "De vakman belt u zo snel mogelijk. Houd uw telefoon bij de hand.",
    Urgency.URGENT: "De vakman belt u om een tijd af te spreken.",
}


def dutch_date(day: date) -> str:
    """``maandag 30 november``."""
    return f"{day_name(day)} {day.day} {month_name(day.month)}"


def describe_fact(table: DecisionTable, name: str, value: FactValue) -> str:
    """The label of the answer button that means ``value``, e.g. ``Nee, lukt niet``."""
    fact = table.facts[name]
    for option in fact.options:
        if option.value == value:
            return option.label
    return str(value)


def fact_line(table: DecisionTable, name: str, value: FactValue | None) -> str:
    """A fact as the summary shows it: short label and answer (``samenvatting.yml``)."""
    line = default_fact_labels().line(name, value)
    if line is not None:
        return line
    # A fact the labels file does not name yet: the question and the button's label.
    answer = DONT_KNOW if value is None else describe_fact(table, name, value)
    return f"{table.facts[name].question} {answer}"


def summary(
    table: DecisionTable,
    topic: str,
    facts: Mapping[str, FactValue],
    details: Mapping[str, str | None],
    unknown: Sequence[str] = (),
) -> str:
    """The confirmation the tenant checks before the ticket is made."""
    lines = ["Ik heb dit genoteerd:", f"• Probleem: {table.topic(topic).name}"]
    lines += [f"• {fact_line(table, name, value)}" for name, value in facts.items()]
    lines += [f"• {fact_line(table, name, None)}" for name in unknown if name not in facts]
    lines += [
        f"• Adres: {details.get('adres') or '-'}",
        f"• Naam: {details.get('naam') or '-'}",
        f"• Telefoon: {format_phone(phone) if (phone := details.get('telefoon')) else '-'}",
        f"• E-mail: {details.get('email') if details.get('email') and '@' in str(details['email']) else 'geen'}",
        f"• Omschrijving: {details.get('beschrijving') or '-'}",
        "Klopt dit?",
    ]
    return "\n".join(lines)


def outcome_message(
    outcome: Outcome,
    ticket_number: str,
    *,
    office_name: str = "uw verhuurder",
    office_phone: str | None = None,
) -> str:
    """The closing message: ticket number, what the urgency means, what happens next."""
    parts = [f"Uw melding is geregistreerd onder nummer {ticket_number}.", MEANING[outcome.urgency]]
    if outcome.urgency is Urgency.NIET_URGENT:
        opening = outcome.next_office_opening
        if opening is not None and outcome.next_office_day is not None:
            phone = f" ({office_phone})" if office_phone else ""
            parts.append(
                f"Neem zelf contact op met {office_name}{phone}, vanaf {_when(opening)}. "
                "Zij plannen de reparatie met u in."
            )
    else:
        parts.append(NEXT_STEP[outcome.urgency])
    if outcome.needs_assessment:
        parts.append(
            "Een medewerker van de meldkamer kijkt ook naar uw melding en belt u als dat nodig is."
        )
    if outcome.inform_client:
        parts.append(f"We informeren {office_name} direct.")
    parts.extend(outcome.advice)
    parts.extend(outcome.notices)
    parts.append(f"Wordt het erger of is er gevaar? Bel {EMERGENCY_PHONE}.")
    return "\n\n".join(parts)


def _when(opening: datetime) -> str:
    return f"{dutch_date(opening.date())} {opening.strftime('%H:%M')} uur"


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


#: Even queueing the handover failed: what the tenant can still do.
HANDOVER_FAILED = (
    f"Het doorverbinden lukt nu niet. Bel de meldkamer: {MELDKAMER_PHONE} (dag en nacht). "
    f"Bij gevaar: bel {EMERGENCY_PHONE}."
)
#: A detail went missing before the confirmation (the form asks it again).
MISSING_DETAIL = "Ik mis nog een gegeven. Ik vraag het opnieuw."


# --- What the bot says in the conversation (the actions only pick one) -------------------

#: The details a tenant can correct after the summary; "antwoorden": the triage answers.
CORRECTABLE = {
    "onderwerp": "Soort probleem",
    "adres": "Adres",
    "naam": "Naam",
    "telefoon": "Telefoon",
    "email": "E-mail",
    "beschrijving": "Omschrijving",
    "antwoorden": "Antwoorden over het probleem",
}
CONFIRM_YES = "Ja, klopt"
CONFIRM_NO = "Nee, aanpassen"
WHAT_IS_WRONG = (
    "Wat klopt er niet? Kies hieronder, of typ de verbetering, bijvoorbeeld 'het is nummer 12'."
)
WHICH_PART = "Welk onderdeel wilt u aanpassen?"
NOT_UNDERSTOOD_ANSWER = (
    "Dat begreep ik niet helemaal. Kies een van de knoppen, of antwoord met ja of nee."
)
DONT_KNOW = "Weet ik niet"
ADDRESS_NOT_SERVED = (
    "Dit adres staat niet in onze lijst. Ik neem uw melding toch op. "
    "Een medewerker van de meldkamer belt u terug."
)
ONLY_SYMBOLS = "Ik zie alleen tekens of emoji. Beschrijf het probleem in een paar woorden."
BACK_TO_BOT = "U praat weer met de digitale assistent."
ANYTHING_ELSE = "Kan ik u nog ergens mee helpen? Beschrijf het probleem in een paar woorden."
NO_PHOTO = "Ik heb geen foto ontvangen. Probeer het nog eens."
ENOUGH_PHOTOS = "Er zitten al {count} foto's bij uw melding. Dat is genoeg, dank u."
PHOTO_NOT_STORED = "Het bewaren van de foto lukte niet. Probeer het later nog eens."
PHOTO_ADDED = "Dank u, de foto is bij uw melding gevoegd."
PHOTO_FIRST = "Dank u voor de foto. Vertel ook in een paar woorden wat er aan de hand is."


def helping_with(topic_name: str) -> str:
    """The bot's first words once it recognised the topic."""
    return f"Ik help u met uw melding: {topic_name}. Ik stel u een paar korte vragen."


# --- The address without postcode, and the optional e-mail ----------------------------


def street_not_found(address: str) -> str:
    """Asked when the street and number are in no client's list."""
    return (
        f"Ik vind {address} niet in onze lijst. Wat is de postcode? Bijvoorbeeld: 1234 AB. "
        "Weet u de postcode niet? Typ dan 'weet ik niet'."
    )


def street_needs_number(street: str) -> str:
    """A street without house number."""
    return f"Wat is uw huisnummer aan de {street}? Bijvoorbeeld: {street} 12."


#: The same street and number in more than one place: the tenant picks.
WHICH_ADDRESS = "Dat adres staat bij ons in meer plaatsen. Welk adres is het?"
#: The tenant does not know the postcode: street and number (and town) are enough for us.
POSTCODE_UNKNOWN = (
    "Geen probleem. Stuur dan uw straat en huisnummer, en de plaats, bijvoorbeeld: "
    "Lindelaan 12, Lindendam."
)
#: Neither the postcode nor the street is in a list: a person helps on.
ADDRESS_NEEDS_PERSON = (
    "Zonder postcode kan ik dit adres niet vastleggen. De postcode staat op uw huurcontract "
    "of op een brief van uw verhuurder. Of typ 'medewerker', dan helpt een medewerker u verder."
)
#: A wrong e-mail address, the first time (the question that follows says "Kies 'Geen e-mail'").
EMAIL_INVALID = (
    "Dat e-mailadres klopt niet. Een e-mailadres ziet er zo uit: naam@voorbeeld.nl. "
    "Lukt het nog een keer niet, dan ga ik verder zonder e-mail."
)
#: A wrong e-mail address the second time: the optional field is skipped.
EMAIL_SKIPPED = (
    "Dat e-mailadres klopt ook niet. Ik ga verder zonder e-mail. Uw meldnummer krijgt u "
    "hier in het gesprek."
)
