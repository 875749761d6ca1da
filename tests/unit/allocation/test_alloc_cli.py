"""`voorelkaar tally`: table, JSON, --compare and clear one-line errors with exit codes."""

from __future__ import annotations

import json

import pytest

from services.budget.allocation.cli import main

from .strategies import pb_text

META = {"description": "wijkbudget", "budget": "100", "vote_type": "approval", "rule": "greedy"}
VOTES = ["a;1,2", "b;1,2", "c;3"]


def _file(tmp_path, selected=("1", "0", "1"), meta=META, votes=VOTES, name="round.pb"):
    projects = [
        f"1;60;2;Speeltuin;{selected[0]}",
        f"2;50;2;Bankjes;{selected[1]}",
        f"3;40;1;Bomen;{selected[2]}",
    ]
    path = tmp_path / name
    path.write_text(pb_text(meta, projects, votes), encoding="utf-8")
    return str(path)


def test_table_shows_winners_money_and_explanations(tmp_path, capsys):
    # 1 and 2 tie on two votes; the cheaper 2 goes first, then 1 (60) no longer fits; 3 fits.
    assert main([_file(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "rule greedy" in out and "spent 90" in out
    assert "winners: 2, 3" in out
    assert "Speeltuin" in out and "50 left when its turn came, it costs 60" in out
    assert "tie at step 1: 2, 1 were equal" in out
    assert "tie order: 3, 2, 1" in out


def test_json_for_machines(tmp_path, capsys):
    # Share 100/3. Projects 1 and 2 both cost their two supporters rho 1/2 (30 and 25 each);
    # the cheaper 2 wins the tie, after which 1's supporters have 2 x 25/3 left; 3 (40) was out
    # of reach of its one supporter from the start.
    assert main([_file(tmp_path), "--json", "--rule", "equalshares"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"]["rule"] == "equalshares"
    assert data["outcome"]["winners"] == ["2"]
    result = {p["project_id"]: p for p in data["outcome"]["projects"]}
    assert result["2"]["price"] == "25" and result["2"]["full_payers"] == 2
    assert result["1"]["status"] == "ran-out" and result["1"]["money_left"] == "50/3"
    assert result["3"]["status"] == "short-from-start" and result["3"]["lacked"] == "20/3"
    assert data["outcome"]["voter_budget"] == "100/3"
    assert data["election"]["ballots"] == 3


def test_compare_equal_exits_0(tmp_path, capsys):
    assert main([_file(tmp_path, selected=("0", "1", "1")), "--compare"]) == 0
    assert "equal the file's selected column" in capsys.readouterr().out


def test_compare_mismatch_exits_1(tmp_path, capsys):
    assert main([_file(tmp_path, selected=("1", "0", "1")), "--compare"]) == 1
    out = capsys.readouterr().out
    assert "DIFFER" in out and "selected in the file only: 1" in out
    assert "recomputed winners only: 2" in out


def test_compare_mismatch_in_json(tmp_path, capsys):
    assert main([_file(tmp_path), "--compare", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["compare"] == {
        "equal": False,
        "official": ["1", "3"],
        "only_official": ["1"],
        "only_recomputed": ["2"],
    }


def _one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_missing_file_exits_2(tmp_path, capsys):
    assert main([str(tmp_path / "nope.pb")]) == 2
    assert "cannot read" in _one_line_error(capsys)


def test_binary_file_exits_2(tmp_path, capsys):
    path = tmp_path / "x.pb"
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert main([str(path)]) == 2
    assert "cannot read" in _one_line_error(capsys)


def test_malformed_file_names_the_line(tmp_path, capsys):
    assert main([_file(tmp_path, votes=["a;1,2", "b;1,7", "c;3"])]) == 2
    line = _one_line_error(capsys)
    assert "line 15" in line and "'7'" in line and "voter 'b'" in line


def test_file_without_rule_needs_one(tmp_path, capsys):
    path = _file(tmp_path, meta={**META, "rule": "unknown"})
    assert main([path]) == 2
    assert "names no rule" in _one_line_error(capsys)
    assert main([path, "--rule", "greedy"]) == 0


def test_compare_without_selected_column_exits_2(tmp_path, capsys):
    path = tmp_path / "plain.pb"
    path.write_text(
        pb_text(META, ["1;60;2", "2;50;2", "3;40;1"], VOTES, project_header="project_id;cost;votes")
    )
    assert main([str(path), "--compare"]) == 2
    assert "no selected column" in _one_line_error(capsys)


@pytest.mark.parametrize(
    "argv",
    [[], ["--rule", "nonsense", "x.pb"], ["x.pb", "--frobnicate"], ["x.pb", "--threshold", "a"]],
)
def test_bad_usage_exits_2_with_one_line(argv, capsys):
    assert main(argv) == 2
    assert _one_line_error(capsys).startswith("voorelkaar tally:")


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "equalshares/add1" in capsys.readouterr().out


def test_warnings_go_to_stderr(tmp_path, capsys):
    assert main([_file(tmp_path, votes=["a;1,2,2", "b;1,2", "c;3"])]) == 0
    assert "more than once" in capsys.readouterr().err


def test_tie_order_option(tmp_path, capsys):
    assert main([_file(tmp_path), "--tie-order", "1,2,3"]) == 0
    assert "winners: 1, 3" in capsys.readouterr().out
    assert main([_file(tmp_path), "--tie-order", "1,2"]) == 2
    assert "leaves out" in _one_line_error(capsys)


def test_services_cli_dispatches_tally(tmp_path, capsys):
    from services.cli import main as voorelkaar

    assert voorelkaar(["tally", _file(tmp_path), "--compare"]) == 1
