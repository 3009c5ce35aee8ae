"""The console's fixtures (real application, real fake Rasa, accounts) for the security tests."""

from tests.console.conftest import (  # noqa: F401  (pytest finds fixtures by name)
    anonymous,
    clock,
    console_app,
    fake_rasa,
    sanne,
    sessions,
    uploads,
)
