"""A non-editable install works: the command, `python -m`, and the shipped data."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """Build and install the project (not editable) into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    src = tmp_path_factory.mktemp("src") / "sheetsync"
    # Build from a copy so a build never writes into the checkout.
    shutil.copytree(
        ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "demo")
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(src),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return target


def _env(site: Path) -> dict[str, str]:
    # The installed copy first; dependencies from this environment.
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), *sys.path[1:]]))


def test_installed_package_is_not_the_checkout(installed):
    out = subprocess.run(
        [sys.executable, "-c", "import sheetsync; print(sheetsync.__file__)"],
        capture_output=True,
        text=True,
        env=_env(installed),
        cwd=installed,
    )
    assert Path(out.stdout.strip()).is_relative_to(installed)


def test_console_script_and_python_m(installed, tmp_path):
    script = installed / "bin" / "sheetsync"
    assert script.exists()
    for cmd in (
        [sys.executable, str(script), "--version"],
        [sys.executable, "-m", "sheetsync", "--version"],
    ):
        out = subprocess.run(cmd, capture_output=True, text=True, env=_env(installed), cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("sheetsync, version ")


def test_installed_command_checks_the_sample(installed, tmp_path):
    sample = ROOT / "sample_workbooks" / "clean_pipeline.xlsx"
    out = subprocess.run(
        [sys.executable, "-m", "sheetsync", "check", str(sample), "--as-of", "2026-11-26"],
        capture_output=True,
        text=True,
        env=_env(installed),
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "0 errors, 0 warnings" in out.stdout


def test_installed_package_ships_the_email_templates(installed, tmp_path):
    code = (
        "from sheetsync.drafts import default_templates_dir, check_templates;"
        "check_templates(); print(default_templates_dir())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_env(installed),
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert str(installed / "sheetsync" / "templates") in out.stdout
    assert len(list((installed / "sheetsync" / "templates").glob("*.j2"))) >= 12
    # and the five language sets (check_templates above preflights each of them)
    shipped = installed / "sheetsync" / "templates"
    source = Path(__file__).resolve().parents[1] / "templates"
    assert sorted(p.relative_to(shipped).as_posix() for p in shipped.glob("*/*.j2")) == sorted(
        p.relative_to(source).as_posix() for p in source.glob("*/*.j2")
    )
    assert len(list(shipped.glob("*/*.j2"))) == 5 * 12  # five sets, 4 kinds x 3 parts each


#: Lines pip prints because of this machine's settings, not the project's packaging.
_ENVIRONMENT_NOISE = re.compile(r"Location '.*' is ignored|byte-compiling is disabled")


def test_building_the_package_prints_no_warning(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(
        ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "demo")
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--verbose",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path / "wheels"),
            str(src),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    noise = [
        line
        for line in (out.stdout + out.stderr).splitlines()
        if re.search(r"(?i)warn|deprecat", line) and not _ENVIRONMENT_NOISE.search(line)
    ]
    assert noise == []
    (wheel,) = (tmp_path / "wheels").glob("sheetsync-*.whl")
    import zipfile

    with zipfile.ZipFile(wheel) as zf:
        meta = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA")))
    assert b"\nLicense-Expression: MIT\n" in meta  # PEP 639: the SPDX string, no table
