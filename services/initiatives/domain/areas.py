"""CBS area codes: a municipality (GM0935) contains its wijken (WK093501), a wijk its buurten
(BU09350101). Source: CBS, "Wijk- en buurtkaart" code structure."""

from __future__ import annotations

_LEVEL = {"GM": 0, "WK": 1, "BU": 2}


def covers(area: str, code: str) -> bool:
    """Whether `area` is `code` or contains it (GM0935 covers WK093501 and BU09350101)."""
    if _LEVEL[area[:2]] > _LEVEL[code[:2]]:
        return False
    return code[2:].startswith(area[2:])


def covered(areas: list[str], code: str) -> bool:
    """Whether any of `areas` covers `code`; an empty list covers everything."""
    return not areas or any(covers(area, code) for area in areas)
