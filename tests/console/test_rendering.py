"""The console's template environment (console/rendering.py)."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

from console.rendering import make_environment

TEMPLATE = "_contactlog.html"


def test_a_second_environment_compiles_nothing_again(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str | None] = []
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: Any, name: str | None = None, *a: Any) -> Any:
        compiled.append(name)
        return original(self, source, name, *a)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    first, second = make_environment(), make_environment()
    first.get_template(TEMPLATE)
    seen = len(compiled)
    assert second.get_template(TEMPLATE) is not first.get_template(TEMPLATE)
    assert len(compiled) == seen  # the second one loaded the first one's code
