"""Meldkamer core: triage, tickets, clients, dispatch and notifications.

Plain Python with no Rasa imports, so that the Rasa actions, the agent console,
the command line and the tests all use the same business logic.
"""
