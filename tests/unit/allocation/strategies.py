"""Hand-made elections and random ones (hypothesis) for the allocation tests."""

from __future__ import annotations

from hypothesis import strategies as st

from services.budget.allocation import CUMULATIVE, Ballot, BallotLimits, Election, Project


def election(
    costs: dict[str, int],
    budget: int,
    ballots: list[str | tuple[str, ...]],
    *,
    points: list[tuple[int, ...]] | None = None,
    vote_type: str = "approval",
    **kw,
) -> Election:
    """costs {'A': 50, ...}; ballots as 'AB' (one letter per project) or tuples of ids."""
    made = []
    for n, b in enumerate(ballots):
        chosen = tuple(b) if isinstance(b, str) else b
        made.append(Ballot(f"v{n + 1}", chosen, points[n] if points else None))
    return Election(
        projects=tuple(Project(pid, c, name=f"project {pid}") for pid, c in costs.items()),
        budget=budget,
        ballots=tuple(made),
        vote_type=vote_type,
        **kw,
    )


# Few distinct costs and few voters make ties frequent; 150 is over every budget drawn here.
COSTS = (0, 5, 10, 10, 20, 20, 30, 40, 60, 150)
BUDGETS = st.sampled_from((0, 10, 30, 50, 60, 100)) | st.integers(0, 120)


@st.composite
def elections(
    draw,
    vote_type: str = "approval",
    max_projects: int = 6,
    max_voters: int = 8,
    costs=COSTS,
    with_limits: bool = False,
) -> Election:
    n_projects = draw(st.integers(1, max_projects))
    ids = [str(i + 1) for i in range(n_projects)]
    project_costs = draw(st.lists(st.sampled_from(costs), min_size=n_projects, max_size=n_projects))
    budget = draw(BUDGETS)
    n_voters = draw(st.integers(0, max_voters))
    ballots = []
    for v in range(n_voters):
        chosen = draw(st.lists(st.sampled_from(ids), unique=True, max_size=n_projects))
        pts = None
        if vote_type == CUMULATIVE:
            pts = tuple(draw(st.integers(1, 5)) for _ in chosen)
        elif vote_type == "choose-1":
            chosen = [draw(st.sampled_from(ids))]
        ballots.append(Ballot(f"voter{v + 1}", tuple(chosen), pts))
    limits = BallotLimits()
    if with_limits and vote_type == "approval" and ballots:
        longest = max(len(b.projects) for b in ballots)
        dearest = max(sum(project_costs[int(p) - 1] for p in b.projects) for b in ballots)
        limits = BallotLimits(max_length=longest, max_sum_cost=dearest)
    return Election(
        projects=tuple(Project(pid, c) for pid, c in zip(ids, project_costs, strict=True)),
        budget=budget,
        ballots=tuple(ballots),
        vote_type=vote_type,
        limits=limits,
    )


@st.composite
def elections_with_tie_order(draw, **kw) -> tuple[Election, list[str]]:
    e = draw(elections(**kw))
    return e, list(draw(st.permutations(e.project_ids)))


@st.composite
def larger_elections(draw) -> Election:
    """More voters with skewed tastes: exercises the grouped, float-guided engine."""
    n_projects = draw(st.integers(2, 10))
    ids = [str(i + 1) for i in range(n_projects)]
    costs = draw(
        st.lists(
            st.sampled_from((1, 7, 10, 25, 40, 100, 333)), min_size=n_projects, max_size=n_projects
        )
    )
    likes = draw(
        st.lists(st.sampled_from((0.1, 0.3, 0.5, 0.8)), min_size=n_projects, max_size=n_projects)
    )
    n_voters = draw(st.integers(1, 80))
    rnd = draw(st.randoms(use_true_random=False))
    ballots = tuple(
        Ballot(f"v{v}", tuple(p for p, like in zip(ids, likes, strict=True) if rnd.random() < like))
        for v in range(n_voters)
    )
    return Election(
        projects=tuple(Project(p, c) for p, c in zip(ids, costs, strict=True)),
        budget=draw(st.integers(0, 600)),
        ballots=ballots,
    )


def pb_text(
    meta: dict[str, str],
    projects: list[str],
    votes: list[str],
    *,
    project_header=None,
    vote_header=None,
) -> str:
    """A small .pb text: meta as dict, project and vote lines as already-joined strings."""
    lines = ["META", "key;value", *(f"{k};{v}" for k, v in meta.items())]
    lines += ["PROJECTS", project_header or "project_id;cost;votes;name;selected", *projects]
    lines += ["VOTES", vote_header or "voter_id;vote", *votes]
    return "\n".join(lines) + "\n"
