"""Rules by their pabulib names, and `tally`: an election in, an explained outcome out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

from .equal_shares import Run, explain_run, run_fast, run_reference
from .errors import UnsupportedRule
from .greedy import greedy
from .models import CUMULATIVE, Election
from .outcome import (
    NO_COST,
    NO_SUPPORT,
    RAN_OUT,
    SELECTED,
    SHORT_FROM_START,
    Outcome,
    ProjectResult,
    TieBreak,
    money,
)
from .profile import ApprovalProfile
from .tiebreak import resolve_tie_order

GREEDY = "greedy"
GREEDY_NO_SKIP = "greedy-no-skip"
GREEDY_THRESHOLD = "greedy-threshold"
EQUAL_SHARES = "equalshares"
EQUAL_SHARES_ADD1 = "equalshares/add1"
EQUAL_SHARES_ADD1_EXHAUSTIVE = "equalshares/add1-exhaustive"
EQUAL_SHARES_COMPARISON = "equalshares-comparison"
EQUAL_SHARES_ADD1_COMPARISON = "equalshares/add1-comparison"

RULES: dict[str, str] = {
    GREEDY: "most votes first while the money lasts; projects that no longer fit are skipped",
    GREEDY_NO_SKIP: "most votes first; counting stops at the first project that does not fit",
    GREEDY_THRESHOLD: "greedy over the projects with at least min_project_score_threshold votes",
    EQUAL_SHARES: "Method of Equal Shares (cost utilities), no completion",
    EQUAL_SHARES_ADD1: "equal shares; Add1: raise each share by 1 until the next step overspends",
    EQUAL_SHARES_ADD1_EXHAUSTIVE: "equal shares; Add1 stopping at the first exhaustive outcome "
    "(pabutools' default)",
    EQUAL_SHARES_COMPARISON: "equal shares, then the comparison step against greedy",
    EQUAL_SHARES_ADD1_COMPARISON: "equal shares with Add1, then the comparison step against greedy",
}

_WITH_ADD1 = (EQUAL_SHARES_ADD1, EQUAL_SHARES_ADD1_EXHAUSTIVE, EQUAL_SHARES_ADD1_COMPARISON)

ENGINES = {"fast": run_fast, "reference": run_reference}


def tally(
    election: Election,
    rule: str | None = None,
    *,
    tie_order: Sequence[str] | None = None,
    threshold: int | None = None,
    add1_increment: int = 1,
    engine: str = "fast",
) -> Outcome:
    """Compute the winners of `election` under `rule` (default: the rule the election names).

    `tie_order` lists every project id; by default it is `tiebreak.default_tie_order`.
    `threshold` overrides min_project_score_threshold for greedy-threshold. `add1_increment` is
    the Add1 step per voter in the election's money unit (1 for whole currency units, 100 when
    amounts are in cents).
    """
    rule = rule if rule is not None else election.rule
    if rule is None or rule == "unknown":
        raise UnsupportedRule("the election names no rule; choose one: " + ", ".join(RULES))
    if rule not in RULES:
        raise UnsupportedRule(f"rule {rule!r} is not supported; supported: {', '.join(RULES)}")
    if add1_increment <= 0:
        raise UnsupportedRule("the Add1 increment must be a positive amount")
    scores = election.scores()
    order = resolve_tie_order(election, tie_order, scores)
    if rule == GREEDY:
        return greedy(election, order, rule=rule, scores=scores)
    if rule == GREEDY_NO_SKIP:
        return greedy(election, order, rule=rule, scores=scores, stop_at_first_misfit=True)
    if rule == GREEDY_THRESHOLD:
        limit = threshold if threshold is not None else election.min_project_score_threshold
        if limit is None:
            raise UnsupportedRule("greedy-threshold needs min_project_score_threshold")
        return greedy(election, order, rule=rule, scores=scores, threshold=limit)
    if election.vote_type == CUMULATIVE:
        raise UnsupportedRule(
            "equal shares with cost utilities needs approval ballots (approval, knapsack, "
            "choose-1), not cumulative ones"
        )
    if engine not in ENGINES:
        raise UnsupportedRule(f"engine {engine!r} is not one of {', '.join(ENGINES)}")
    return _equal_shares(election, rule, order, add1_increment, ENGINES[engine])


def _equal_shares(election, rule, order, increment, runner) -> Outcome:
    prof = ApprovalProfile.from_election(election)
    rank_of = {pid: i for i, pid in enumerate(order)}
    rank = [rank_of[p.id] for p in election.projects]
    budget = election.budget
    completion = rule in _WITH_ADD1
    notes: list[str] = []
    if prof.n_voters == 0:
        run = Run(Fraction(0), [])
        notes.append("no ballots: nothing is chosen")
        steps = None
    else:
        start = Fraction(budget, prof.n_voters)
        steps = None
        if not completion:
            run = runner(prof, start, rank)
        else:
            run, steps, why = _add1(
                prof, start, budget, rank, runner, increment, rule == EQUAL_SHARES_ADD1_EXHAUSTIVE
            )
            notes.append(
                f"Add1: each voter's share went from {money(start)} to {money(run.share)} "
                f"in {steps} step(s) of {increment}; {why}"
            )
    outcome = _explain(election, prof, run, rule, order, notes, steps)
    if rule in (EQUAL_SHARES_COMPARISON, EQUAL_SHARES_ADD1_COMPARISON):
        outcome = _comparison_step(election, prof, outcome, order)
    return outcome


def _add1(prof, start, budget, rank, runner, increment, stop_when_exhaustive):
    """Stepwise Add1: returns (run, increments applied, why it stopped)."""
    costs, votes = prof.costs, prof.votes
    supported = [p for p in range(len(costs)) if votes[p] > 0 and costs[p] > 0]
    run, steps = runner(prof, start, rank), 0
    while True:
        spent = sum(costs[p] for p in run.winners)
        chosen = set(run.winners)
        if all(p in chosen for p in supported):
            return run, steps, "every supported project is chosen"
        if stop_when_exhaustive and all(
            p in chosen or spent + costs[p] > budget for p in supported
        ):
            return run, steps, "the outcome is exhaustive (no other supported project fits)"
        ahead = runner(prof, start + (steps + 1) * increment, rank)
        ahead_spent = sum(costs[p] for p in ahead.winners)
        if ahead_spent > budget:
            return (
                run,
                steps,
                f"one more step would choose projects costing {ahead_spent}, over the budget",
            )
        run, steps = ahead, steps + 1


def _explain(election, prof, run, rule, order, notes, steps) -> Outcome:
    projects, costs, votes = election.projects, prof.costs, prof.votes
    paid, lost = explain_run(prof, run) if prof.n_voters else ({}, {})
    position = {p: n + 1 for n, p in enumerate(run.winners)}
    rank = {pid: i for i, pid in enumerate(order)}
    results = []
    for i, p in enumerate(projects):
        base = dict(
            project_id=p.id,
            name=p.name,
            cost=p.cost,
            score=votes[i],
            supporters=votes[i],
        )
        if i in position:
            pay = paid[i]
            note = f"#{position[i]}: {pay.full_payers} supporter(s) paid {money(pay.price)}"
            if pay.partial_payers:
                note += (
                    f"; {pay.partial_payers} paid all they had left, "
                    f"{money(pay.partial_paid)} together"
                )
            if pay.empty_handed:
                note += f"; {pay.empty_handed} had nothing left"
            extra = dict(
                price=pay.price,
                full_payers=pay.full_payers,
                partial_payers=pay.partial_payers,
                partial_paid=pay.partial_paid,
            )
            results.append(
                ProjectResult(
                    **base, selected=True, status=SELECTED, note=note, order=position[i], **extra
                )
            )
        elif costs[i] == 0:
            results.append(
                ProjectResult(
                    **base,
                    selected=False,
                    status=NO_COST,
                    note="costs nothing, so it carries no value under cost utilities",
                )
            )
        elif votes[i] == 0:
            results.append(
                ProjectResult(**base, selected=False, status=NO_SUPPORT, note="nobody voted for it")
            )
        else:
            why = lost[i]
            lacked = costs[i] - why.money_left
            if why.failed_at == 0:
                status = SHORT_FROM_START
                note = (
                    f"its {votes[i]} supporter(s) had {money(run.share * votes[i])} between them "
                    f"from the start, less than its cost {costs[i]}"
                )
            else:
                status = RAN_OUT
                after = projects[run.winners[why.failed_at - 1]].id
                note = (
                    f"after winner #{why.failed_at} ({after}) its supporters no longer had its "
                    f"cost between them"
                )
            note += f"; at the end they had {money(why.money_left)}, {money(lacked)} short"
            results.append(
                ProjectResult(
                    **base,
                    selected=False,
                    status=status,
                    note=note,
                    failed_round=why.failed_at,
                    money_left=why.money_left,
                    lacked=lacked,
                )
            )
    results.sort(
        key=lambda r: (
            r.order if r.order is not None else len(projects) + 1,
            -r.score,
            rank[r.project_id],
        )
    )
    ties = tuple(
        TieBreak(
            step=pos,
            tied=tuple(projects[q].id for q in tied),
            chosen=(projects[chosen].id,),
        )
        for pos, tied, chosen in run.ties
    )
    return Outcome(
        rule=rule,
        budget=election.budget,
        winners=tuple(projects[p].id for p in run.winners),
        spent=sum(costs[p] for p in run.winners),
        projects=tuple(results),
        tie_order=tuple(order),
        ties=ties,
        notes=tuple(notes),
        voter_budget=run.share,
        add1_rounds=steps,
    )


def _comparison_step(election, prof, outcome: Outcome, order) -> Outcome:
    """Compare with greedy: if more voters have more approved winners under greedy, take it."""
    plain = greedy(election, order, rule=outcome.rule)
    mes = {election.index(p) for p in outcome.winners}
    grd = {election.index(p) for p in plain.winners}
    prefer_mes = prefer_greedy = 0
    for group, k in zip(prof.groups, prof.mult_int, strict=True):
        a = sum(1 for p in group if p in mes)
        b = sum(1 for p in group if p in grd)
        if a > b:
            prefer_mes += k
        elif b > a:
            prefer_greedy += k
    take_greedy = prefer_greedy > prefer_mes
    note = (
        f"comparison step: {prefer_mes} voter(s) have more approved winners under equal shares, "
        f"{prefer_greedy} under greedy; "
        + ("the greedy outcome is taken" if take_greedy else "the equal-shares outcome stands")
    )
    chosen = plain if take_greedy else outcome
    return replace(chosen, notes=(*outcome.notes, note))
