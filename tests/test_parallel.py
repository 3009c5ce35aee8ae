"""tests/parallel.py: the groups it gives are groups for pytest-xdist's loadgroup."""

from __future__ import annotations

import pytest
from xdist.scheduler.loadgroup import LoadGroupScheduling

from tests.parallel import group_name


def scope(nodeid: str) -> str:
    """What xdist's loadgroup scheduling takes as the work unit of a node id."""
    return LoadGroupScheduling._split_scope(None, nodeid)  # type: ignore[arg-type]


@pytest.mark.parametrize("params", [[], ["sqlite"], ["postgresql", "x"]])
def test_xdist_reads_every_group_as_given(params: list[object]) -> None:
    group = group_name("tests/e2e/test_rest_melding.py", params)
    nodeid = f"tests/e2e/test_rest_melding.py::test_melding_per_topic[{'-'.join(map(str, params))}-gaslek]"
    assert scope(f"{nodeid}@{group}") == group


def test_the_two_parameters_of_a_module_are_two_groups() -> None:
    module = "tests/e2e/test_rest_melding.py"
    assert group_name(module, ["sqlite"]) != group_name(module, ["postgresql"])
