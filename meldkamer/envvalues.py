"""Numbers from environment variables, checked, with a Dutch error naming the variable."""

from __future__ import annotations

from collections.abc import Mapping


def env_number(
    env: Mapping[str, str], name: str, *, low: float, high: float, whole: bool = False
) -> float | None:
    """The number in ``env[name]``, or None when it is not set (or empty).

    Raises:
        ValueError: not a number (not a whole one if ``whole``), or outside ``low``-``high``.
    """
    raw = env.get(name, "").strip()
    if not raw:
        return None
    kind = "een geheel getal" if whole else "een getal"
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        raise ValueError(f"{name} moet {kind} zijn, niet {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} moet {kind} van {low:g} tot {high:g} zijn, niet {raw!r}")
    return value
