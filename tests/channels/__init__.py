"""Tests of the chat channels."""
