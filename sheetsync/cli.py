"""The ``sheetsync`` command: parse options, call :mod:`sheetsync.jobs`, print.

This is the only module that imports click and the only one that prints.
Errors become exit codes in one place, :func:`main`:

====  ==========================================================
0     success; the data has no errors (warnings allowed)
1     the data has errors (``check`` found findings of severity error)
2     usage or configuration error
3     the source cannot be read or written
4     another run holds the lock for this source
5     ``sync``: the tabs were written, but the drafts failed
====  ==========================================================

A failure prints one clear line (and a hint) to stderr, never a traceback,
unless ``--debug`` is given.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import traceback

import click

from . import __version__, jobs
from .errors import EXIT_DATA_ERRORS, EXIT_OK, FileSystemError, SheetsyncError
from .logs import json_line, last_source, setup_logging
from .reporting import (
    deals_summary,
    doctor_text,
    report_json,
    report_text,
    summary_line,
    sync_text,
)

EXIT_INTERNAL = 70


class _AsOf(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        from .drafts.clock import parse_as_of

        try:
            return parse_as_of(value)
        except ValueError:
            self.fail(
                f"{value!r} is not a date like 2026-11-26 or a date-time like 2026-11-26T18:33",
                param,
                ctx,
            )


AS_OF = _AsOf()

_config_option = click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    help="Configuration file (default: sheetsync.toml beside the workbook, then in the current directory).",
)
_as_of_option = click.option(
    "--as-of",
    "as_of",
    type=AS_OF,
    help="Judge the pipeline as of this date instead of today (reproducible or backfilled "
    "runs); a date-time (2026-11-26T18:33, the team's time zone) also sets the drafts' clock.",
)
_credentials_option = click.option(
    "--credentials",
    type=click.Path(exists=True, dir_okay=False),
    help="Google service-account key (or authorized-user file); wins over [google] credentials "
    "and GOOGLE_APPLICATION_CREDENTIALS.",
)
_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output for people (text) or machines (json).",
)


class _Group(click.Group):
    """Maps every failure to its exit code: the one place that does."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except click.ClickException as exc:
            if _log_format() != "json":
                raise  # click's own usage text, for people
            # a collector gets a usage error as one JSON line like every other failure
            _say(exc.format_message(), "error", exit_code=exc.exit_code, error=type(exc).__name__)
            ctx.exit(exc.exit_code)
        except (SheetsyncError, KeyboardInterrupt, Exception) as exc:
            ctx.exit(_report_failure(exc, bool(ctx.obj and ctx.obj.get("debug"))))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="sheetsync")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Print nothing on success (cron); failures still go to stderr.",
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Log lines on stderr as text, or as one JSON object per line for log collectors.",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, quiet: bool, log_format: str) -> None:
    """Keep your sales pipeline in your spreadsheet; sheetsync checks it,
    computes where each rep stands against quota, and prepares follow-ups.

    Exit codes: 0 ok, 1 the data has errors, 2 usage or configuration
    error, 3 the source cannot be read or written, 4 another run holds the
    lock, 5 (sync) the tabs were written but the drafts failed.
    """
    ctx.ensure_object(dict)
    ctx.obj.update(debug=debug, quiet=quiet, log_format=log_format)
    level = logging.DEBUG if debug else (logging.WARNING if quiet else logging.INFO)
    setup_logging(log_format, level if log_format == "json" or debug else logging.WARNING)


def _report_command(fn):
    """A command that reads the source and prints a report (``check``, ``metrics``):
    the same argument and options, in the same order, for both."""
    for decorate in (
        _credentials_option,
        _as_of_option,
        _format_option,
        _config_option,
        click.argument("source", required=False),
        cli.command(),
    ):
        fn = decorate(fn)
    return fn


def _echo(text: str) -> None:
    """Normal output on stdout, unless --quiet."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and (ctx.find_root().obj or {}).get("quiet"):
        return
    click.echo(text, nl=not text.endswith("\n"))


@cli.command()
@click.argument("source")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the proposal (default: sheetsync.toml beside the workbook; "
    "never overwritten).",
)
@click.option("--dry-run", is_flag=True, help="Print the proposal instead of writing it.")
@_as_of_option
@_credentials_option
def init(
    source: str,
    output: str | None,
    dry_run: bool,
    as_of: dt.date | None,
    credentials: str | None,
) -> None:
    """Propose a commented sheetsync.toml from the sheet itself.

    Reads SOURCE as check does without a configuration and writes down what
    it found: the deals tab and header row, the column mapping, the stages
    (in pipeline order where known, with outcomes), the locale, currency and
    calendar the cells are written in, and what it could not decide.  An
    existing file is never overwritten.
    """
    done = jobs.init(source, output=output, as_of=as_of, credentials=credentials, dry_run=dry_run)
    if dry_run:
        _echo(done.proposal.text)
        return
    p = done.checked.pipeline
    lines = [
        f"wrote {done.target}: {len(p.columns)} columns of tab {p.deals_tab!r} "
        f"(header row {p.header_row}), {len(p.stages)} stages"
        + (f", locale {done.proposal.locale}" if done.proposal.locale else "")
        + (f", currency {done.proposal.currency}" if done.proposal.currency else ""),
    ]
    if done.proposal.undecided:
        lines.append("could not decide (see the comments): " + "; ".join(done.proposal.undecided))
    lines.append(f"next: read it, then run sheetsync check {_shell_arg(source)}")
    _echo("\n".join(lines) + "\n")


def _shell_arg(text: str) -> str:
    import shlex

    return shlex.quote(text)


@_report_command
def check(
    source: str | None, config: str | None, fmt: str, as_of: dt.date | None, credentials: str | None
) -> None:
    """Check a pipeline workbook and list every problem with its cell.

    SOURCE is the workbook (.xlsx/.xlsm), a CSV export (.csv), a
    LibreOffice spreadsheet (.ods) or a Google Sheet's URL; without it,
    [source] path from the configuration is used.  Exits 1 when errors are found, 0 when only
    warnings (or nothing) are.
    """
    result = jobs.check(source, config=config, as_of=as_of, credentials=credentials)
    report = result.report
    if fmt == "json":
        _echo(report_json(report))
    else:
        _echo(report_text(report, deals_summary(result)))
    if _quiet():  # the report above was not printed: cron still gets one line
        _warn_data_errors(result)
    sys.exit(EXIT_OK if report.valid else EXIT_DATA_ERRORS)


@_report_command
def metrics(
    source: str | None, config: str | None, fmt: str, as_of: dt.date | None, credentials: str | None
) -> None:
    """Print where each rep stands against quota, the funnel and the coaching signals.

    Writes nothing.  Exits 1 when the data has errors (the metrics are still
    printed; run `sheetsync check` for the list), else 0.
    """
    checked, result = jobs.metrics(source, config=config, as_of=as_of, credentials=credentials)
    if fmt == "json":
        _echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        _echo(result.to_text())
    _warn_data_errors(checked)
    sys.exit(EXIT_OK if checked.report.valid else EXIT_DATA_ERRORS)


@cli.command()
@click.argument("source", required=False)
@_config_option
@_as_of_option
@click.option(
    "--dry-run", is_flag=True, help="Compute everything and say what would change; write nothing."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the result to this file instead of updating the workbook in place.",
)
@click.option(
    "--all",
    "all_sources",
    is_flag=True,
    help="Sync every pipeline listed as [[sources]] in the configuration.",
)
@_credentials_option
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Also list the parts of the workbook package that changed.",
)
def sync(
    source: str | None,
    config: str | None,
    as_of: dt.date | None,
    dry_run: bool,
    output: str | None,
    all_sources: bool,
    credentials: str | None,
    verbose: bool,
) -> None:
    """Check the pipeline, compute the metrics and write sheetsync's tabs back.

    Only tabs sheetsync created are replaced; every other part of the
    workbook (your tabs, charts, macros, formatting) stays byte for byte.
    The write is atomic and the previous version is kept in
    .sheetsync-backups/.  Exits 1 when the data has errors (the tabs are
    still written, with the problems listed), 5 when the tabs were written
    but the drafts ([drafts] enabled) failed, else 0.  With --all, every
    pipeline listed as [[sources]] is synced, one line each; a failure in one
    does not stop the others, and the exit code is the worst of them.
    A CSV or .ods file cannot hold tabs: give --output FILE.xlsx, a new
    workbook with its values and sheetsync's tabs.
    """
    if all_sources:
        if source or output:
            raise click.UsageError(
                "--all syncs the configured [[sources]]; give no SOURCE or --output with it"
            )
        outcomes = jobs.sync_all(config=config, as_of=as_of, dry_run=dry_run)
        for o in outcomes:
            if o.error is not None:
                _say(f"FAILED {o.name}: {o.error.message}", "error", o.error.hint, source=o.source)
                continue
            _echo(summary_line(o.name, o.synced))  # a drafts failure is logged (event drafts)
        failed = [o for o in outcomes if o.error is not None]
        with_errors = [o.name for o in outcomes if o.exit_code == EXIT_DATA_ERRORS]
        if with_errors and (_quiet() or _log_format() == "json"):
            _say(
                f"{len(with_errors)} of {len(outcomes)} pipelines have errors in the data "
                f"({', '.join(with_errors)}); `sheetsync check SOURCE` lists them",
                "data.errors",
            )
        _echo(
            f"{len(outcomes) - len(failed)} of {len(outcomes)} pipelines synced"
            + (f", {len(failed)} failed" if failed else "")
        )
        sys.exit(max((o.exit_code for o in outcomes), default=0))
    done = jobs.sync(
        source, config=config, as_of=as_of, dry_run=dry_run, output=output, credentials=credentials
    )
    _echo(sync_text(done, verbose=verbose))
    if _log_format() == "json" or _quiet():  # else the text output above says it
        _warn_data_errors(done.checked)
    part = jobs.partial_failure(done)
    if part is not None:  # the tabs were written; the drafts' failure is logged (event drafts)
        sys.exit(jobs.partial_exit_code(part))
    sys.exit(EXIT_OK if done.checked.report.valid else EXIT_DATA_ERRORS)


@cli.command()
@click.argument("source", required=False)
@_config_option
@_format_option
@_as_of_option
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="The --output the night's sync is given (a CSV or .ods source needs one).",
)
def doctor(
    source: str | None, config: str | None, fmt: str, as_of: dt.date | None, output: str | None
) -> None:
    """Check what the night needs: configuration, source, write access, tabs, mail login.

    Changes nothing.  Prints each check with the fix for what is wrong and
    exits with the code `sheetsync sync` would: 0 when everything a nightly
    run needs is in place, 1 when it is but the data has errors, 2 for the
    configuration (or a tab name clash), 3 for the source (unreadable, not
    writable, shared as Viewer), 5 when the drafts' mailboxes fail.  With
    no SOURCE and [[sources]] in the configuration, checks every entry.
    """
    from .doctor import doctor_exit_code, run_doctor  # the drafts' checks load only here

    checks = run_doctor(config, source, as_of=as_of, output=output)
    if fmt == "json":
        _echo(json.dumps([c.to_dict() for c in checks], indent=2, ensure_ascii=False) + "\n")
    else:
        _echo(doctor_text(checks))
    code = doctor_exit_code(checks)
    failed = [c for c in checks if c.status == "fail"]
    warned = [c for c in checks if c.status == "warn"]
    if code and _quiet() and (failed or warned):  # one line for cron: the first to fix
        first = (failed or warned)[0]
        what = f"{len(failed)} problem(s) to fix; first" if failed else "the night will exit 1"
        _say(
            f"doctor: {what}, {first.name}: {first.detail}",
            "doctor.failed",
            first.fix or None,
            level="error",
            exit_code=code,
        )
    sys.exit(code)


@cli.command()
@click.argument("source", required=False)
@_config_option
@_as_of_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Write the drafts as .eml files into this folder (one dated subfolder per run) "
    "instead of the [drafts] sink.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    help="Prepare at most this many new drafts (0: no limit; default: [drafts] limit).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Render every draft and list them; save nothing and write nothing to the workbook.",
)
@_format_option
def drafts(
    source: str | None,
    config: str | None,
    as_of: dt.date | None,
    out_dir: str | None,
    limit: int | None,
    dry_run: bool,
    fmt: str,
) -> None:
    """Prepare email drafts: appointment reminders, follow-ups, trial offers, rep digests.

    Nothing is ever sent: each rep's drafts land in that rep's own Drafts
    ([drafts] sink: Gmail, Microsoft Graph or IMAP), or as .eml files
    (X-Unsent, open as drafts) in [drafts] out_dir or --out DIR, for the rep
    to review and send.  A hidden ledger tab in the workbook remembers every
    draft, so running twice the same day makes nothing new.  Exits 0 when
    every draft due was made (data errors in the sheet are reported on
    stderr, not as a failure: `check` and `sync` exit 1 for them), 2 for a
    template or configuration error (or a CSV/ODS source), 3 when the
    workbook or the mail service cannot be reached, or a rep's mailbox
    refused (the others' drafts are saved), 4 when another run holds the lock.
    """
    from .drafts.job import run_text

    done = jobs.drafts(
        source, config=config, as_of=as_of, out_dir=out_dir, limit=limit, dry_run=dry_run
    )
    if fmt == "json":
        _echo(json.dumps(done.run.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        _echo(run_text(done.run))
    if not _quiet():  # the drafts were made: quiet means quiet
        _warn_data_errors(done.checked)
    _exit_if_mailboxes_failed(done.run)
    sys.exit(EXIT_OK)  # the drafts were all made: the sheet's data errors are check's to fail on


@cli.command()
@_config_option
@click.argument("source", required=False)
def signin(config: str | None, source: str | None) -> None:
    """Sign in once to Microsoft 365 for the drafts ([drafts.graph] auth = "device").

    Shows a code to type at microsoft.com/devicelogin, waits for you to sign
    in, and keeps the token cache in [drafts.graph] token_cache (mode 0600)
    so the nightly runs refresh it without asking.
    """
    from .config import load_config
    from .drafts.microsoft_auth import GRAPH_SCOPE_USER, IMAP_SCOPE_USER, MicrosoftTokens
    from .drafts.rest import new_session
    from .drafts.settings import draft_settings
    from .errors import ConfigError

    settings = draft_settings(load_config(config, source))
    if settings.graph is None:
        raise ConfigError(
            "sheetsync signin needs a [drafts.graph] section (README, 'Microsoft 365')"
        )
    imap = settings.imap is not None and settings.imap.token_from == "graph"
    scope = IMAP_SCOPE_USER if imap and settings.sink_kind == "imap" else GRAPH_SCOPE_USER
    tokens = MicrosoftTokens(settings.graph, session=new_session())
    who = tokens.sign_in(lambda message: click.echo(message, err=True), (scope,))
    _echo(f"signed in as {who}; token cache saved in {settings.graph.token_cache}\n")


@cli.group()
def templates() -> None:
    """List, show and copy the email templates the drafts are made from.

    Set [drafts] templates_dir to a folder made by `sheetsync templates init`
    to use your own wording: a template there replaces the built-in one of
    the same name.
    """


def _templates_dir(config: str | None) -> str | None:
    from .config import load_config
    from .drafts import draft_settings

    return draft_settings(load_config(config, None)).templates_dir


@templates.command("list")
@_config_option
def templates_list(config: str | None) -> None:
    """List the templates, what each one is for, and which file each part comes from."""
    from .drafts import list_templates, templates_text

    _echo(templates_text(list_templates(_templates_dir(config))))


@templates.command("show")
@click.argument("name")
@_config_option
def templates_show(name: str, config: str | None) -> None:
    """Print the files of template NAME as they are in effect (yours or the built-in)."""
    from .drafts import show_template

    _echo(show_template(name, _templates_dir(config)))


@templates.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
def templates_init(directory: str) -> None:
    """Copy the built-in templates into DIRECTORY to edit; never overwrites a file."""
    from .drafts import init_templates

    written = init_templates(directory)
    _echo(
        f"copied {len(written)} template files into {directory}\n"
        f'next: set templates_dir = "{directory}" under [drafts] in sheetsync.toml\n'
    )


def _exit_if_mailboxes_failed(run) -> None:
    """Some reps' mailboxes refused (the others' drafts were saved): say so, exit 3."""
    if run is not None and run.error is not None:
        err = run.error
        _say(err.message, "drafts.failed", err.hint)
        sys.exit(err.exit_code)


def _quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and (ctx.find_root().obj or {}).get("quiet"))


def _warn_data_errors(checked) -> None:
    """One stderr line when the data has errors: the exit code 1 explained, and the command."""
    report = checked.report
    if report.valid:
        return
    name = checked.source.name
    _say(
        f"{name}: the data has {len(report.errors)} error(s); "
        f"run `sheetsync check {_shell_arg(name)}` to list them",
        "data.errors",
        source=name,
        errors=len(report.errors),
        warnings=len(report.warnings),
    )


def _log_format() -> str:
    ctx = click.get_current_context(silent=True)
    return ((ctx.find_root().obj or {}).get("log_format") if ctx is not None else None) or "text"


def _say(message: str, event_name: str, hint: str | None = None, level: str = "", **fields) -> None:
    """One line on stderr: text, or a JSON object with --log-format json (:func:`logs.json_line`)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and (ctx.find_root().obj or {}).get("log_format") == "json":
        data = dict(fields)
        if hint:
            data["hint"] = hint
        data.setdefault("source", last_source())
        level = level or ("error" if event_name == "error" else "warning")
        click.echo(json_line(level, event_name, message, data), err=True)
        return
    click.echo(f"sheetsync: {message}", err=True)
    if hint:
        click.echo(f"  hint: {hint}", err=True)


def _report_failure(exc: BaseException, debug: bool) -> int:
    """Print one clear line for a failure and return its exit code."""
    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, OSError):  # the disk, a folder, a permission: not a bug (exit 3)
        exc = FileSystemError.from_os_error(exc)
    if isinstance(exc, SheetsyncError):
        _say(exc.message, "error", exc.hint, exit_code=exc.exit_code, error=type(exc).__name__)
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        _say("interrupted", "error", exit_code=130)
        return 130
    _say(
        f"internal error: {type(exc).__name__}: {exc} (run with --debug for details and report it)",
        "error",
        exit_code=EXIT_INTERNAL,
    )
    return EXIT_INTERNAL


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    try:
        cli.main(args=argv, prog_name="sheetsync", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return EXIT_OK


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
