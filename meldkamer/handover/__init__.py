"""Handover to a person: the queue of conversations agents take over, notes, and edits."""
