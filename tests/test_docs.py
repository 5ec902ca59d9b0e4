"""The README and the help texts stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from sheetsync.cli import cli
from sheetsync.columns import synonyms_markdown
from sheetsync.validate import CODES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def all_commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, (*prefix, name))


@pytest.mark.parametrize(
    "path,cmd", list(all_commands(cli)), ids=lambda x: " ".join(x) if isinstance(x, tuple) else ""
)
def test_every_command_has_help(path, cmd):
    assert cmd.help and len(cmd.help.strip()) > 20, f"sheetsync {' '.join(path)} has no help text"
    for param in cmd.params:
        if isinstance(param, click.Option):
            assert param.help, f"option {param.opts} of sheetsync {' '.join(path)} has no help"


def test_every_command_is_in_the_readme():
    for path, _ in all_commands(cli):
        assert f"sheetsync {' '.join(path)}" in README, (
            f"README does not mention 'sheetsync {' '.join(path)}'"
        )


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", README, re.S)
    assert first_block, "README has no command block"
    lines = [
        ln.strip()
        for ln in first_block.group(1).splitlines()
        if ln.strip() and not ln.strip().startswith("#")
    ]
    assert lines == ["make demo", "make test"]
    assert README.index("make demo") < 800


def test_every_finding_code_is_documented():
    for code in CODES:
        assert re.search(rf"`{re.escape(code)}`", README), (
            f"finding code {code} is not in the README"
        )


def test_synonym_table_in_readme_matches_the_code():
    assert synonyms_markdown() in README


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        ln.strip()
        for ln in ci.splitlines()
        if ln.strip() and not ln.startswith(("#", "set ", "cd "))
    ]
    assert commands == ["make test"]


def test_readme_demo_output_is_what_check_prints():
    from click.testing import CliRunner

    block = re.search(r"```text\n(demo/team_pipeline\.xlsx: .*?)```", README, re.S)
    assert block, "README lacks the demo output block"
    res = CliRunner().invoke(
        cli,
        ["check", str(ROOT / "sample_workbooks" / "team_pipeline.xlsx"), "--as-of", "2026-11-26"],
    )
    assert res.exit_code == 1
    actual = res.output.replace(
        str(ROOT / "sample_workbooks" / "team_pipeline.xlsx"), "demo/team_pipeline.xlsx", 1
    )
    assert actual == block.group(1)
