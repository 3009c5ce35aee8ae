"""Dispatch: from a classified ticket to work orders, client e-mails and escalation."""
