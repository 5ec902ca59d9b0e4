"""`sync` writes the owned tabs back without losing a byte of the user's workbook."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import HEADER, deal_row, make_workbook
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from sheetsync import jobs
from sheetsync.cli import cli
from sheetsync.errors import OwnershipError, SourceChangedError
from sheetsync.sources.excel import ExcelSource

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
AS_OF = dt.date(2026, 11, 26)
OWNED_TABS = [
    "sheetsync Summary",
    "sheetsync Funnel",
    "sheetsync Follow-ups",
    "sheetsync Data Issues",
    "sheetsync History",
    "sheetsync Written",
]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def sample(tmp_path) -> Path:
    p = tmp_path / "team_pipeline.xlsx"
    shutil.copyfile(SAMPLE, p)
    return p


LISTING_PARTS = {
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "[Content_Types].xml",
    "docProps/app.xml",
    "xl/styles.xml",
}


def test_sync_keeps_every_user_part_byte_identical(sample):
    before = members(sample)
    done = jobs.sync(str(sample), as_of=AS_OF)
    after = members(sample)
    assert done.write.added == OWNED_TABS
    for name, data in before.items():
        if name in LISTING_PARTS:
            continue
        assert after[name] == data, f"{name} changed"
    new_parts = set(after) - set(before)
    assert all(p.startswith(("xl/worksheets/", "xl/charts/", "xl/drawings/")) for p in new_parts), (
        new_parts
    )


def test_owned_tabs_read_back_with_the_metric_values(sample):
    done = jobs.sync(str(sample), as_of=AS_OF)
    team = done.metrics.to_dict()["team"]
    wb = openpyxl.load_workbook(sample)
    assert wb.sheetnames[:5] == ["Pipeline", "Dashboard", "Notes", "Stages", "Quotas"]
    assert wb.sheetnames[5:] == OWNED_TABS
    summary = wb["sheetsync Summary"]
    rows = [[c.value for c in r] for r in summary.iter_rows()]
    team_row = next(r for r in rows if r and r[0] == "Team")
    assert team_row[1] == pytest.approx(team["quota"])
    assert team_row[2] == pytest.approx(team["won"])
    assert summary._charts, "the summary carries native charts"
    cal = CalamineWorkbook.from_path(str(sample))
    assert cal.sheet_names[5:] == OWNED_TABS
    cal_rows = cal.get_sheet_by_name("sheetsync Summary").to_python()
    assert any(r[0] == "Team" and r[2] == pytest.approx(team["won"]) for r in cal_rows)
    issues = wb["sheetsync Data Issues"]
    cells = {
        issues.cell(r, 3).value: issues.cell(r, 3).hyperlink for r in range(2, issues.max_row + 1)
    }
    assert cells["Pipeline!I20"].location == "Pipeline!I20"


def test_second_run_changes_only_owned_parts(sample):
    jobs.sync(str(sample), as_of=AS_OF)
    first = members(sample)
    done = jobs.sync(str(sample), as_of=AS_OF + dt.timedelta(days=1))
    second = members(sample)
    assert done.write.replaced == OWNED_TABS and done.write.added == []
    changed = {n for n in first if first[n] != second.get(n)} | (set(second) - set(first))
    assert changed, "the as-of date moved, so owned tabs change"
    assert first["xl/styles.xml"] == second["xl/styles.xml"], (
        "styles.xml must not grow on repeated runs"
    )
    owned = {f"xl/worksheets/sheet{n}.xml" for n in range(6, 12)}
    assert all(n in owned or n.startswith(("xl/charts/", "xl/drawings/")) for n in changed), changed


def test_same_day_rerun_writes_nothing(sample):
    jobs.sync(str(sample), as_of=AS_OF)
    stamp = sample.stat().st_mtime_ns
    done = jobs.sync(str(sample), as_of=AS_OF)
    assert done.write.changed_parts == []
    assert sample.stat().st_mtime_ns == stamp


def test_formula_looking_cells_are_written_as_text(tmp_path):
    nasty = ['=HYPERLINK("http://evil.example","click")', "+1", "-1", "@SUM(A1)"]
    rows = [HEADER] + [
        deal_row(
            {
                "Deal ID": f"D{i}",
                "Deal": text,
                "Company": text,
                "Next Meeting": dt.datetime(2026, 11, 26, 15),
            }
        )
        for i, text in enumerate(nasty)
    ]
    p = make_workbook(tmp_path / "p.xlsx", {"Deals": rows})
    jobs.sync(str(p), as_of=AS_OF)
    ws = openpyxl.load_workbook(p)["sheetsync Follow-ups"]
    seen = {}
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.value in nasty:
                seen[cell.value] = cell.data_type
    assert set(seen) == set(nasty)
    assert set(seen.values()) == {"s"}, "user text must never become a formula"


def test_a_persons_tab_with_an_owned_name_is_never_touched(sample):
    # A person makes a tab called "sheetsync Summary" (we add it the way Excel would: as a normal sheet).
    p = make_workbook(
        sample.parent / "own.xlsx",
        {"Deals": [HEADER, deal_row()], "sheetsync Summary": [["my own notes"]]},
    )
    before = digest(p)
    with pytest.raises(OwnershipError, match="sheetsync Summary"):
        jobs.sync(str(p), as_of=AS_OF)
    assert digest(p) == before
    res = CliRunner().invoke(cli, ["sync", str(p), "--as-of", "2026-11-26"])
    assert res.exit_code == 2
    assert "[tabs]" in res.output
    assert digest(p) == before


def test_configured_tab_names_avoid_the_clash(sample):
    p = make_workbook(
        sample.parent / "own.xlsx",
        {"Deals": [HEADER, deal_row()], "sheetsync Summary": [["my own notes"]]},
    )
    (p.parent / "sheetsync.toml").write_text(
        '[tabs]\nsummary = "Pipeline Summary"\n', encoding="utf-8"
    )
    done = jobs.sync(str(p), as_of=AS_OF)
    assert "Pipeline Summary" in done.write.added
    assert openpyxl.load_workbook(p)["sheetsync Summary"]["A1"].value == "my own notes"


def test_excel_owner_file_stops_the_run(sample):
    (sample.parent / ("~$" + sample.name)).write_bytes(b"\x00" * 162)
    before = digest(sample)
    res = CliRunner().invoke(cli, ["sync", str(sample), "--as-of", "2026-11-26"])
    assert res.exit_code == 3
    assert "open in Excel" in res.output
    assert digest(sample) == before


def test_workbook_changed_during_the_run_is_not_overwritten(sample):
    src = ExcelSource(sample)
    src.read("Pipeline")
    data = sample.read_bytes()
    sample.write_bytes(data + b"")  # saved again by someone: new mtime
    import os

    os.utime(sample, ns=(src._stamp[0] + 10_000_000, src._stamp[0] + 10_000_000))
    with pytest.raises(SourceChangedError, match="changed on disk"):
        src.write([])
    assert sample.read_bytes() == data


def test_dry_run_writes_nothing_and_says_what_would_change(sample):
    before = digest(sample)
    res = CliRunner().invoke(cli, ["sync", str(sample), "--as-of", "2026-11-26", "--dry-run"])
    assert res.exit_code == 1  # the sample has data errors
    assert "Would write 4 new tabs" in res.output and "dry run: nothing was written" in res.output
    assert digest(sample) == before
    assert not (sample.parent / ".sheetsync-backups").exists()
    assert [p.name for p in sample.parent.iterdir()] == [sample.name]


def test_output_writes_a_copy_and_leaves_the_original(sample, tmp_path):
    before = digest(sample)
    out = tmp_path / "copy.xlsx"
    res = CliRunner().invoke(
        cli, ["sync", str(sample), "--as-of", "2026-11-26", "--output", str(out)]
    )
    assert res.exit_code == 1
    assert digest(sample) == before
    assert openpyxl.load_workbook(out).sheetnames[-6:] == OWNED_TABS


def test_backups_are_kept_and_rotated(sample):
    (sample.parent / "sheetsync.toml").write_text("[sync]\nbackups = 2\n", encoding="utf-8")
    original = digest(sample)
    for day in range(4):
        done = jobs.sync(str(sample), as_of=AS_OF + dt.timedelta(days=day))
    backups = sorted((sample.parent / ".sheetsync-backups").iterdir())
    assert len(backups) == 2
    assert done.write.backup == str(backups[-1])
    first = jobs.sync(str(sample), as_of=AS_OF + dt.timedelta(days=9))
    assert first.write.backup
    assert original  # the very first version rotated out after `backups` runs


def test_first_backup_is_the_untouched_original(sample):
    original = digest(sample)
    done = jobs.sync(str(sample), as_of=AS_OF)
    assert digest(Path(done.write.backup)) == original


@pytest.mark.parametrize(
    "name,reason",
    [
        ("xmldsign__hello-world-signed.xlsx", "signed"),
        ("poifs__protect.xlsx", "encrypted"),
    ],
)
def test_unsafe_workbooks_are_refused_untouched(tmp_path, name, reason):
    from corpus import corpus_dir

    base = corpus_dir()
    if base is None:
        pytest.skip("shared corpus not available")
    p = tmp_path / name
    shutil.copyfile(base / "poi" / name, p)
    before = digest(p)
    (tmp_path / "sheetsync.toml").write_text('[columns]\nstage = "x"\n', encoding="utf-8")
    res = CliRunner().invoke(cli, ["sync", str(p), "--as-of", "2026-11-26"])
    assert res.exit_code in (2, 3)
    assert digest(p) == before


def test_sync_json_metrics_match_metrics_command(sample):
    res = CliRunner().invoke(
        cli, ["metrics", str(sample), "--as-of", "2026-11-26", "--format", "json"]
    )
    data = json.loads(res.stdout)
    done = jobs.sync(str(sample), as_of=AS_OF)
    assert done.metrics.to_dict() == data


def test_long_lists_are_capped_with_a_row_saying_how_many_more(sample):
    (sample.parent / "sheetsync.toml").write_text("[sync]\nmax_rows = 3\n", encoding="utf-8")
    done = jobs.sync(str(sample), as_of=AS_OF)
    wb = openpyxl.load_workbook(sample)
    issues = [[c.value for c in r] for r in wb["sheetsync Data Issues"].iter_rows()]
    assert len(issues) == 2 + 3 + 1  # the banner, the header, 3 rows, the "and more" row
    assert issues[-1][0] == (
        f"… and {len(done.checked.report.findings) - 3:,} more findings not listed here (the tab shows 3): "
        "run `sheetsync check --format json`"
    )
    assert [r[0] for r in issues[2:5]] == ["error"] * 3  # errors first
    follow = [[c.value for c in r] for r in wb["sheetsync Follow-ups"].iter_rows()]
    assert len(follow) == 6 and follow[-1][0].startswith(
        f"… and {len(done.actions) - 3:,} more follow-ups"
    )


def test_history_can_be_turned_off(sample):
    (sample.parent / "sheetsync.toml").write_text("[sync]\nhistory = false\n", encoding="utf-8")
    done = jobs.sync(str(sample), as_of=AS_OF)
    assert "sheetsync History" not in done.write.added
    assert done.metrics.history["entries"] == 0
