"""Reader and writer for the pabulib `.pb` format: text to `Election` and back, nothing else.

The format (https://pabulib.org/format) has three sections separated by `META`, `PROJECTS` and
`VOTES` lines, each followed by a header; fields are separated by semicolons. A malformed line
is refused with its line number. Two quirks of real files are read with a warning rather than
refused, because the library holds files that have them: a ballot naming a project twice (the
approval counts once) and META counts that disagree with the data.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from .errors import InvalidElection, PabulibFormatError
from .models import APPROVAL, CUMULATIVE, VOTE_TYPES, Ballot, BallotLimits, Election, Project

_SECTIONS = ("META", "PROJECTS", "VOTES")
_LIMIT_KEYS = tuple(BallotLimits.__dataclass_fields__)
_STRUCTURED = frozenset(
    {"budget", "vote_type", "rule", "num_projects", "num_votes", "min_project_score_threshold"}
    | set(_LIMIT_KEYS)
)
_IDENTITY = ("description", "country", "unit", "district", "subunit", "instance")
_WHOLE = re.compile(r"^[+-]?\d+(?:\.0*)?$")


def _whole(text: str, what: str, line: int) -> int:
    value = text.strip()
    if not _WHOLE.match(value):
        raise PabulibFormatError(f"{what} must be a whole number, not {text!r}", line=line)
    return int(value.split(".")[0])


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text), delimiter=";", strict=True)
    try:
        for row in reader:
            if not row or all(not cell.strip() for cell in row):
                continue
            yield reader.line_num, row
    except csv.Error as exc:
        raise PabulibFormatError(f"unreadable line ({exc})", line=reader.line_num) from exc


def parse_pb(text: str) -> Election:
    """Read a pabulib `.pb` text. Raises `InvalidElection` naming the line for bad input."""
    if text.startswith("\ufeff"):
        text = text[1:]
    rows = _rows(text)
    sections: dict[str, tuple[list[str], list[tuple[int, list[str]]]]] = {}
    current: str | None = None
    expect_header = False
    for line, raw in rows:
        row = [cell.strip() for cell in raw]
        first = row[0].upper()
        if first in _SECTIONS and all(not c for c in row[1:]):
            if first in sections:
                raise PabulibFormatError(f"section {first} appears twice", line=line)
            want = _SECTIONS[len(sections)]
            if first != want:
                raise PabulibFormatError(f"expected section {want}, found {first}", line=line)
            current, expect_header = first, True
            continue
        if current is None:
            raise PabulibFormatError("the file must start with a META section", line=line)
        if expect_header:
            sections[current] = (row, [])
            expect_header = False
            continue
        # META values keep their inner spacing: an unquoted ';' there is part of the value
        sections[current][1].append((line, raw if current == "META" else row))
    for name in _SECTIONS:
        if name not in sections:
            raise PabulibFormatError(f"the {name} section (with its header line) is missing")

    warnings: list[str] = []
    meta_raw = _read_meta(*sections["META"])
    try:
        budget_line, budget_text = meta_raw.pop("budget")
    except KeyError:
        raise PabulibFormatError("META has no budget") from None
    budget = _whole(budget_text, "budget", budget_line)
    vote_type = meta_raw.pop("vote_type", (0, APPROVAL))[1]
    if vote_type not in VOTE_TYPES:
        raise PabulibFormatError(
            f"vote_type {vote_type!r} is not supported (supported: {', '.join(VOTE_TYPES)})"
        )
    rule = meta_raw.pop("rule", (0, None))[1]
    limits = BallotLimits(
        **{k: _whole(v, k, ln) for k, (ln, v) in list(meta_raw.items()) if k in _LIMIT_KEYS}
    )
    threshold = None
    if "min_project_score_threshold" in meta_raw:
        ln, v = meta_raw["min_project_score_threshold"]
        threshold = _whole(v, "min_project_score_threshold", ln)
    counts = {k: meta_raw[k] for k in ("num_projects", "num_votes") if k in meta_raw}
    meta = tuple((k, v) for k, (_, v) in meta_raw.items() if k not in _STRUCTURED)

    header, project_rows = sections["PROJECTS"]
    projects = _read_projects(header, project_rows)
    project_columns = tuple(header)

    vheader, vote_rows = sections["VOTES"]
    ballots = _read_ballots(vheader, vote_rows, vote_type, {p.id for p in projects}, warnings)

    for key, actual in (("num_projects", len(projects)), ("num_votes", len(ballots))):
        if key in counts:
            ln, v = counts[key]
            if _whole(v, key, ln) != actual:
                warnings.append(f"line {ln}: META {key} is {v} but the file holds {actual}")

    election = Election(
        projects=tuple(projects),
        budget=budget,
        ballots=tuple(ballots),
        vote_type=vote_type,
        rule=rule,
        limits=limits,
        min_project_score_threshold=threshold,
        meta=meta,
        project_columns=project_columns,
        vote_columns=tuple(vheader),
        warnings=tuple(warnings),
    )
    _check_published_counts(election, warnings)
    return election


def _read_meta(header: list[str], rows: list[tuple[int, list[str]]]) -> dict:
    if [h.lower() for h in header[:2]] != ["key", "value"] or any(header[2:]):
        raise PabulibFormatError("the META header must be 'key;value'")
    meta: dict[str, tuple[int, str]] = {}
    for line, row in rows:
        key = row[0].strip()
        if len(row) < 2 or not key:
            raise PabulibFormatError("a META line must read 'key;value'", line=line)
        if key in meta:
            raise PabulibFormatError(f"META key {key!r} appears twice", line=line)
        meta[key] = (line, ";".join(row[1:]).strip())
    return meta


def _columns(header: list[str], required: tuple[str, ...], section: str) -> None:
    for col in required:
        if col not in header:
            raise PabulibFormatError(f"the {section} header needs a {col!r} column")
    if len(set(header)) != len(header):
        raise PabulibFormatError(f"the {section} header names a column twice")


def _read_projects(header: list[str], rows: list[tuple[int, list[str]]]) -> list[Project]:
    _columns(header, ("project_id", "cost"), "PROJECTS")
    id_at, cost_at = header.index("project_id"), header.index("cost")
    name_at = header.index("name") if "name" in header else None
    projects: list[Project] = []
    seen: set[str] = set()
    for line, row in rows:
        if len(row) != len(header):
            raise PabulibFormatError(
                f"a project line needs {len(header)} fields ({';'.join(header)}), found {len(row)}",
                line=line,
            )
        pid = row[id_at]
        if not pid:
            raise PabulibFormatError("a project has no project_id", line=line)
        if pid in seen:
            raise PabulibFormatError(f"project {pid!r} is listed twice", line=line)
        seen.add(pid)
        cost = _whole(row[cost_at], f"the cost of project {pid!r}", line)
        if cost < 0:
            raise PabulibFormatError(f"project {pid!r} has a negative cost ({cost})", line=line)
        skip = (id_at, cost_at, name_at)
        extra = tuple(
            (h, v) for i, (h, v) in enumerate(zip(header, row, strict=True)) if i not in skip
        )
        projects.append(Project(pid, cost, row[name_at] if name_at is not None else "", extra))
    return projects


def _read_ballots(
    header: list[str],
    rows: list[tuple[int, list[str]]],
    vote_type: str,
    known: set[str],
    warnings: list[str],
) -> list[Ballot]:
    required = ("voter_id", "vote", "points") if vote_type == CUMULATIVE else ("voter_id", "vote")
    _columns(header, required, "VOTES")
    id_at, vote_at = header.index("voter_id"), header.index("vote")
    points_at = header.index("points") if "points" in header else None
    skip = {id_at, vote_at, points_at}
    width = len(header)
    ballots: list[Ballot] = []
    for line, row in rows:
        if len(row) != width:
            raise PabulibFormatError(
                f"a vote line needs {width} fields ({';'.join(header)}), found {len(row)}",
                line=line,
            )
        voter = row[id_at]
        chosen = [x.strip() for x in _field(row[vote_at]).split(",")]
        chosen = [x for x in chosen if x]
        points = None
        if vote_type == CUMULATIVE:
            given = _field(row[points_at])
            raw = [x.strip() for x in given.split(",")] if given else []
            if len(raw) != len(chosen):
                raise InvalidElection(
                    f"{len(chosen)} project(s) but {len(raw)} number(s) of points",
                    line=line,
                    voter_id=voter,
                )
            points_list = [_whole(x, "points", line) for x in raw]
        for pid in chosen:
            if pid not in known:
                raise InvalidElection(
                    f"names project {pid!r}, which is not in PROJECTS", line=line, voter_id=voter
                )
        if len(set(chosen)) != len(chosen):
            if vote_type == CUMULATIVE:
                raise InvalidElection(
                    "gives points to the same project twice", line=line, voter_id=voter
                )
            dups = sorted({p for p in chosen if chosen.count(p) > 1})
            warnings.append(
                f"line {line}: ballot of voter {voter!r} names {', '.join(dups)} more than once; "
                "counted once"
            )
            chosen = list(dict.fromkeys(chosen))
        if vote_type == CUMULATIVE:
            points = tuple(points_list)
        extra = tuple(
            (h, v) for i, (h, v) in enumerate(zip(header, row, strict=True)) if i not in skip
        )
        ballots.append(Ballot(voter, tuple(chosen), points, extra, line))
    return ballots


def _field(value: str) -> str:
    """pabulib writes 'None' for a missing value (a blank ballot's points, for instance)."""
    return "" if value.lower() == "none" else value


def _check_published_counts(election: Election, warnings: list[str]) -> None:
    """Compare the file's `votes`/`score` columns with the ballots (a warning if they differ)."""
    supporters = election.supporters()
    points = election.scores() if election.vote_type == CUMULATIVE else None
    notes = []
    for i, p in enumerate(election.projects):
        for column, counted in (("votes", supporters[i]), ("score", points and points[i])):
            published = p.get(column)
            if published is None or counted is None or not _WHOLE.match(published):
                continue
            if int(published.split(".")[0]) != counted:
                notes.append(
                    f"project {p.id}: {column} column says {published}, ballots give {counted}"
                )
    if notes:
        object.__setattr__(election, "warnings", (*warnings, *notes))
    else:
        object.__setattr__(election, "warnings", tuple(warnings))


# -- writer ------------------------------------------------------------------------------------


def format_pb(election: Election, outcome=None) -> str:
    """Write an election as `.pb` text; `parse_pb` of the result gives an equal election.

    With an `outcome` (a tally of this election) the round is published: the `votes` (or
    `score`) and `selected` columns are filled from it and META `rule` names its rule.
    """
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)

    def row(values) -> None:
        cells = [str(v) for v in values]
        for c in cells:
            if "\n" in c or "\r" in c:
                raise InvalidElection(f"cannot write a value with a line break: {c[:40]!r}")
        w.writerow(cells)

    e = election
    meta = dict(e.meta)
    out.write("META\n")
    row(("key", "value"))
    for key in _IDENTITY:
        if key in meta:
            row((key, meta.pop(key)))
    row(("num_projects", len(e.projects)))
    row(("num_votes", len(e.ballots)))
    row(("budget", e.budget))
    row(("vote_type", e.vote_type))
    rule = outcome.rule if outcome is not None else e.rule
    if rule is not None:
        row(("rule", rule))
    for key, value in e.limits.items():
        row((key, value))
    if e.min_project_score_threshold is not None:
        row(("min_project_score_threshold", e.min_project_score_threshold))
    for key, value in meta.items():
        row((key, value))

    columns = list(e.project_columns) or ["project_id", "cost", "name"]
    for col in ("project_id", "cost"):
        if col not in columns:
            columns.insert(0 if col == "project_id" else 1, col)
    for p in e.projects:
        for k, _ in p.extra:
            if k not in columns:
                columns.append(k)
    if "name" not in columns and any(p.name for p in e.projects):
        columns.insert(2, "name")
    published: dict[str, dict[str, str]] = {}
    if outcome is not None:
        added = ("votes", "selected") + (("score",) if e.vote_type == CUMULATIVE else ())
        columns += [c for c in added if c not in columns]
        winners = set(outcome.winners)
        for r in outcome.projects:
            published[r.project_id] = {
                "votes": str(r.supporters),
                "selected": "1" if r.project_id in winners else "0",
            }
            if e.vote_type == CUMULATIVE:
                published[r.project_id]["score"] = str(r.score)
    out.write("PROJECTS\n")
    row(columns)
    for p in e.projects:
        values = {"project_id": p.id, "cost": str(p.cost), "name": p.name, **dict(p.extra)}
        values.update(published.get(p.id, {}))
        row(values.get(c, "") for c in columns)

    vcolumns = list(e.vote_columns) or ["voter_id", "vote"]
    for col in ("voter_id", "vote") + (("points",) if e.vote_type == CUMULATIVE else ()):
        if col not in vcolumns:
            vcolumns.append(col)
    for b in e.ballots:
        for k, _ in b.extra:
            if k not in vcolumns:
                vcolumns.append(k)
    out.write("VOTES\n")
    row(vcolumns)
    for b in e.ballots:
        values = {"voter_id": b.voter_id, "vote": ",".join(b.projects), **dict(b.extra)}
        if b.points is not None:
            # a blank cumulative ballot: pabutools reads 'None', not an empty field
            values["points"] = ",".join(str(x) for x in b.points) or "None"
        row(values.get(c, "") for c in vcolumns)
    return out.getvalue()
