"""The command line: exact output, exit codes, one-line failures."""

from __future__ import annotations

import subprocess
import sys

from builders import HEADER, deal_row, make_workbook
from click.testing import CliRunner

from sheetsync import __version__
from sheetsync.cli import cli, main


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def test_version():
    res = invoke("--version")
    assert res.exit_code == 0
    assert res.output == f"sheetsync, version {__version__}\n"


def test_clean_workbook_exits_0_with_exact_text(tmp_path):
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": [HEADER, deal_row()]})
    res = invoke("check", str(p), "--as-of", "2026-11-26")
    assert res.exit_code == 0
    assert res.output == (
        f"{p}: 0 errors, 0 warnings (1 deals in tab 'Deals', as of 2026-11-26)\nNo problems found.\n"
    )


def test_warnings_only_exit_0_errors_exit_1(tmp_path):
    warn = make_workbook(
        tmp_path / "w.xlsx", {"Deals": [HEADER, deal_row({"Decision Maker?": "no"})]}
    )
    res = invoke("check", str(warn), "--as-of", "2026-11-26")
    assert res.exit_code == 0
    assert res.output.splitlines()[2:] == [
        "Warnings:",
        "  Deals!E2         decision-maker-unconfirmed  deal 'Widget rollout' is at Proposal but the decision maker is not confirmed",
        "                                               → confirm you are talking to the person who can buy, then mark it yes",
    ]
    err = make_workbook(tmp_path / "e.xlsx", {"Deals": [HEADER, deal_row({"Deal Stage": "Nope"})]})
    assert invoke("check", str(err), "--as-of", "2026-11-26").exit_code == 1


def test_missing_file_exits_3_with_one_line_and_hint(tmp_path):
    res = invoke("check", str(tmp_path / "nope.xlsx"))
    assert res.exit_code == 3
    assert res.output == (
        f"sheetsync: {tmp_path / 'nope.xlsx'}: file not found\n"
        "  hint: check the path (or [source] path in sheetsync.toml)\n"
    )
    assert "Traceback" not in res.output


def test_not_a_workbook_exits_3(tmp_path):
    p = tmp_path / "p.xlsx"
    p.write_text("name,stage\n", encoding="utf-8")
    res = invoke("check", str(p))
    assert res.exit_code == 3
    assert "not an Excel workbook" in res.output


def test_bad_config_exits_2(tmp_path):
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": [HEADER, deal_row()]})
    (tmp_path / "sheetsync.toml").write_text("[source]\nbogus = 1\n", encoding="utf-8")
    res = invoke("check", str(p))
    assert res.exit_code == 2
    assert "unknown key 'bogus'" in res.output and "sheetsync.toml" in res.output


def test_bad_option_exits_2():
    assert invoke("check", "x.xlsx", "--as-of", "yesterday").exit_code == 2
    assert invoke("check", "x.xlsx", "--format", "xml").exit_code == 2
    assert invoke("no-such-command").exit_code == 2


def test_debug_shows_the_traceback(tmp_path):
    res = invoke("--debug", "check", str(tmp_path / "nope.xlsx"))
    assert res.exit_code == 3
    assert "Traceback" in res.output


def test_main_returns_exit_code(tmp_path):
    assert main(["check", str(tmp_path / "nope.xlsx")]) == 3
    assert main(["--version"]) == 0


def test_python_dash_m_runs_the_same_command(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "sheetsync", "check", str(tmp_path / "nope.xlsx")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 3
    assert out.stdout == ""
    assert out.stderr.startswith("sheetsync: ")
    assert "Traceback" not in out.stderr
