"""The meldkamer's people: agents and supervisors, their accounts and presence."""
