"""The console's fixtures (real application, real fake Rasa, accounts) for the security tests.

``make_run_stack`` is here, not imported by each module, so that test_exposure and
test_exposure_console share one ``make run`` for the session (a module's own import
would make it a fixture of that module, started again for each).
"""

from tests.console.conftest import (  # noqa: F401  (pytest finds fixtures by name)
    anonymous,
    clock,
    console_app,
    fake_rasa,
    sanne,
    sessions,
    uploads,
)
from tests.security.runstack import make_run_stack  # noqa: F401  (one for the session)
