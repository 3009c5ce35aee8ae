"""Which tests pytest-xdist keeps on one worker (``make test`` runs ``--dist loadgroup``).

A test is sent to whichever worker is free, unless it shares a costly fixture with other
tests. Then they form one group, run by one worker, which sets the fixture up once:

- a session-scoped fixture of the suite with a teardown (it holds a resource: the e2e
  stacks of tests/e2e/conftest.py, ``make_run_stack``): grouped by that fixture's name,
  across modules;
- a module- or class-scoped fixture of the suite (a server or database per module):
  grouped by module (and by the fixture's parameter, if it has one: e.g. SQLite and
  PostgreSQL apart).

Plugins' own fixtures (baseid "") do not count. Each worker has its own databases, ports
and temporary folders (tests/databases.py, ``free_port``, ``tmp_path``), so groups never
meet.
"""

from __future__ import annotations

import inspect

import pytest


def xdist_group(item: pytest.Item) -> str | None:
    """The group ``item`` runs in, or None when any worker may take it alone."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    per_module = []
    for name in sorted(info.name2fixturedefs):
        defs = info.name2fixturedefs[name]
        if not defs or not defs[-1].baseid:
            continue
        fixture = defs[-1]
        if fixture.scope == "session" and _has_teardown(fixture.func):
            return name
        if fixture.scope in ("package", "module", "class"):
            per_module.append(name)
    if not per_module:
        return None
    callspec = getattr(item, "callspec", None)
    params = [callspec.params[name] for name in per_module if callspec and name in callspec.params]
    return group_name(item.nodeid.split("::")[0], params)


def group_name(module: str, params: list[object]) -> str:
    """A module's group, one per parameter of its fixture: ``tests/x.py(postgresql)``.

    Never with brackets: xdist reads the group after the last ``@`` of a node id only when
    no ``]`` follows it, so ``tests/x.py[postgresql]`` was no group at all and each worker
    started its own stack for the module (three stacks of 30-40 s instead of one).
    """
    return module + "".join(f"({param})" for param in params)


def _has_teardown(func: object) -> bool:
    return inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func)


def mark_groups(items: list[pytest.Item]) -> None:
    """Give every test that shares a costly fixture its ``xdist_group`` mark."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            group = xdist_group(item)
            if group is not None:
                item.add_marker(pytest.mark.xdist_group(group))
