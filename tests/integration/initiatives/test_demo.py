"""`make run` loads demo applications in several states, and loading them twice changes
nothing."""

from __future__ import annotations

from collections import Counter

from services.initiatives import demo


async def test_demo_data_loads_twice_with_the_same_result(initiatives, nc):
    first = await demo.load(nc, initiatives.naming, initiatives.settings)
    states = await initiatives.pool.fetch("SELECT title, state FROM applications")
    history = await initiatives.pool.fetchval("SELECT count(*) FROM history")
    assert Counter(r["state"] for r in states) == Counter(
        {
            "draft": 1,
            "screened": 1,
            "in_review": 1,
            "admitted": 1,
            "rejected": 1,
            "withdrawn": 1,
            "granted": 1,
            "closed": 1,
        }
    )
    second = await demo.load(nc, initiatives.naming, initiatives.settings)
    assert second == first
    assert "2 in the transparency register" in first
    again = await initiatives.pool.fetch("SELECT title, state FROM applications")
    assert sorted(map(tuple, again)) == sorted(map(tuple, states))
    assert await initiatives.pool.fetchval("SELECT count(*) FROM history") == history
