"""Intake: from what a tenant types to a stored, classified melding."""
