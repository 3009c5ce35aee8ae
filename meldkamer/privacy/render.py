"""The retention terms as a Markdown table, for docs/PRIVACY.md (a test keeps them equal)."""

from __future__ import annotations

from meldkamer.clients.retention import RetentionAction
from meldkamer.privacy.policy import RetentionPolicy

#: What each data class covers, in the words of the table.
DESCRIPTIONS = {
    "gesprekken": "conversation text with the assistant (Rasa's tracker store, table `events`)",
    "contactgegevens": "name, phone, e-mail, house number and description on tickets, "
    "also in the edit history",
    "fotos": "photos (files in the photo folder, table `bijlagen`)",
    "notities": "agents' internal notes (table `notities`)",
    "berichten": "recipient, subject and text of e-mails and SMS messages (table `outbox`)",
    "overdrachten": "the summary an agent gets at a handover (table `overnames`) and the "
    "draft of a melding handed over incomplete (table `meldingconcepten`)",
    "spool": "meldingen set aside after an outage (`*.json.fout` in the spool folder)",
}
#: The actions as the table names them.
ACTIONS = {RetentionAction.VERWIJDEREN: "deleted", RetentionAction.ANONIMISEREN: "anonymised"}

#: Where the table starts and ends in docs/PRIVACY.md.
BEGIN = "<!-- retention terms: begin (generated from meldkamer/privacy/retention.yml) -->"
END = "<!-- retention terms: end -->"


def render_terms(policy: RetentionPolicy) -> str:
    """The table of default terms: class, what it covers, days, action, why."""
    lines = [
        "| class | covers | term | then | why (the file's explanation) |",
        "|---|---|---|---|---|",
    ]
    for code, term in policy.defaults.items():
        lines.append(
            f"| `{code}` | {DESCRIPTIONS[code]} | {term.days} days | {ACTIONS[term.action]} "
            f"| {term.explanation} |"
        )
    return "\n".join([BEGIN, *lines, END])
