"""Rasa custom actions: thin adapters from the conversation to the meldkamer package.

The action server (``rasa run actions``) registers every Action subclass in the
modules of this package.
"""
