"""The portal runs on the console's application: the console's fixtures, and the portal's."""

from __future__ import annotations

from tests.console.conftest import (  # noqa: F401  (fixtures)
    anonymous,
    chef,
    clock,
    console_app,
    fake_rasa,
    sanne,
    sessions,
    uploads,
)
from tests.portal.fixtures import anna, portal_data  # noqa: F401  (fixtures)
