"""Finding, listing, copying and checking the email templates.

A template is a *name* (``follow_up``) and up to three files:

``NAME.subject.j2``
    The subject line (required).  Rendered as text; line breaks and runs of
    spaces become one space, so a multi-line ``{% if %}`` reads fine.
``NAME.txt.j2``
    The plain-text body (required).
``NAME.html.j2``
    An HTML body (optional).  Autoescaped: a ``<script>`` typed in a cell
    shows as text.  With it, the draft is ``multipart/alternative``.

Files whose name starts with ``_`` are partials for ``{% include %}``.

The built-in templates ship inside the package (``sheetsync/templates``); a
configured ``templates_dir`` shadows them *by name*: when the folder has any
``follow_up.*.j2`` file, the whole ``follow_up`` template comes from the
folder (so a custom text body never travels with the built-in HTML one).

Languages: the files above are the English set; ``templates/<code>/``
holds the same templates (the rep digest too) in Thai (``th``), German (``de``),
Spanish (``es``), Portuguese as written in Brazil (``pt_BR``) and French
(``fr``) (:data:`~sheetsync.drafts.languages.LANGUAGES`).  A prospect email
is written in its deal's language (:meth:`TemplateSet.for_language`), with
that language's dates and numbers (``[team] locale`` when it is that
language); the rep digest in its rep's language (``[drafts.languages]``, else the team's).  A ``templates_dir`` shadows a language's built-ins from its
``<code>/`` subfolder; for the team's own language, when that subfolder is
missing, from ``templates_dir`` itself (as before there were language sets).

Before anything is rendered, :func:`preflight` checks every template: that
it parses and compiles, that each variable and attribute it uses is in the
documented context (:data:`sheetsync.drafts.context.SCHEMAS`), and that it
renders with a full and a sparse sample context.  A failure is a
:class:`~sheetsync.errors.TemplateError` naming the file and the line.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta, nodes

from sheetsync.errors import ConfigError, TemplateError

from .context import SCHEMAS, formats_for, sample_contexts
from .languages import DEFAULT_LANGUAGE, LANGUAGES, format_locale, team_language
from .settings import DraftSettings

TEMPLATE_NAMES: tuple[str, ...] = ("appointment_reminder", "follow_up", "trial_offer", "rep_digest")

#: The templates every language set has: the prospect emails and the rep
#: digest (written in its rep's language, :func:`~.digest.rep_language`).
LANGUAGE_TEMPLATE_NAMES: tuple[str, ...] = TEMPLATE_NAMES
PARTS: tuple[str, ...] = ("subject", "txt", "html")
REQUIRED_PARTS: tuple[str, ...] = ("subject", "txt")
SUFFIX = ".j2"

DESCRIPTIONS: dict[str, str] = {
    "appointment_reminder": "to the prospect, the day before (or of) an appointment: time, place, agenda",
    "follow_up": "to the prospect, after a meeting or when the deal has gone quiet",
    "trial_offer": "to the prospect, when a deal at a presentation/demo stage slows down",
    "rep_digest": "to each rep, every morning: their list and their three quota numbers",
}

_FILE_RE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_]*)\.(?P<part>subject|txt|html)\.j2$")


# --------------------------------------------------------------------------- where the files are


def default_templates_dir() -> Traversable:
    """The built-in templates, wherever sheetsync is installed.

    Installed, they are the package data ``sheetsync/templates`` (pyproject
    maps the repository's top-level ``templates/`` there); in a checkout
    where that mapping is not in effect they are ``templates/`` beside the
    ``sheetsync`` package.  ``importlib.resources`` keeps this working from
    a wheel, a zip or an editable install alike.
    """
    try:
        packaged = resources.files("sheetsync.templates")
    except ModuleNotFoundError:
        packaged = None
    if packaged is not None and packaged.is_dir() and _has_templates(packaged):
        return packaged
    inside = resources.files("sheetsync").joinpath("templates")
    if inside.is_dir() and _has_templates(inside):
        return inside
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if checkout.is_dir():
        return checkout
    raise ConfigError(
        "the built-in email templates are missing from this installation",
        hint="reinstall sheetsync (pip install --force-reinstall sheetsync)",
    )


def _has_templates(folder: Traversable) -> bool:
    return any(_FILE_RE.match(entry.name) for entry in folder.iterdir())


def _files(folder: Traversable) -> dict[str, Traversable]:
    return {e.name: e for e in folder.iterdir() if e.name.endswith(SUFFIX) and e.is_file()}


@dataclass(frozen=True, slots=True)
class TemplateFile:
    """One template file: its name in the loader, where it is, and its text."""

    name: str
    path: str
    builtin: bool


@dataclass(slots=True)
class TemplateInfo:
    """A template by name: which files make it and whether they are built in."""

    name: str
    description: str
    parts: dict[str, TemplateFile] = field(default_factory=dict)

    @property
    def custom(self) -> bool:
        return any(not f.builtin for f in self.parts.values())


class _TraversableLoader(jinja2.BaseLoader):
    """Loads the built-in templates through ``importlib.resources`` (zip-safe)."""

    def __init__(self, root: Traversable, label: str) -> None:
        self.root = root
        self.label = label

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        entry = self.root.joinpath(template)
        if "/" in template or "\\" in template or not entry.is_file():
            raise jinja2.TemplateNotFound(template)
        text = entry.read_text(encoding="utf-8")
        return text, _display_path(entry), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(_files(self.root))


def _display_path(entry: Traversable) -> str:
    return os.fspath(entry) if isinstance(entry, os.PathLike) else str(entry)


class TemplateSet:
    """The templates in effect: the built-ins, shadowed by ``templates_dir``.

    Owns the Jinja environment (StrictUndefined, autoescape for ``.html.j2``
    only, None printed as nothing, the formatting filters) so rendering and
    the preflight see exactly the same templates.
    """

    def __init__(
        self,
        settings: DraftSettings | None = None,
        *,
        templates_dir: str | Path | None = None,
        builtin: Traversable | None = None,
        language: str | None = None,
    ) -> None:
        self.settings = settings or DraftSettings()
        #: the set's language; None: the root set (English text, ``[team] locale``
        #: formats), which renders an English-speaking team's emails and digest
        self.language = language
        self._languages: dict[str, TemplateSet] = {}
        self._parent: TemplateSet | None = None
        folder = templates_dir if templates_dir is not None else self.settings.templates_dir
        self.custom_dir = Path(folder).expanduser() if folder else None
        if self.custom_dir is not None and not self.custom_dir.is_dir():
            raise ConfigError(
                f"templates_dir {str(self.custom_dir)!r} is not a folder",
                hint="create it with `sheetsync templates init DIR`, or fix [drafts] templates_dir",
            )
        self.builtin = builtin if builtin is not None else default_templates_dir()
        # English text (the root set: English deals) in English formats
        self.formats = formats_for(
            self.settings, format_locale(self.language or DEFAULT_LANGUAGE, self.settings.locale)
        )
        self._builtin_files = _files(self.builtin)
        self._custom_files: dict[str, Traversable] = (
            _files(self.custom_dir) if self.custom_dir is not None else {}
        )
        self._custom_names = {
            m["name"] for n in self._custom_files if (m := _FILE_RE.match(n)) is not None
        }
        loaders: list[jinja2.BaseLoader] = []
        if self.custom_dir is not None:
            loaders.append(jinja2.FileSystemLoader(str(self.custom_dir)))
        loaders.append(_TraversableLoader(self.builtin, "built-in"))
        self.env = jinja2.Environment(
            loader=_ShadowLoader(self, loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=lambda name: bool(name and name.endswith(".html.j2")),
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=lambda v: "" if v is None else v,
            auto_reload=False,
        )
        self.env.filters.update(self.formats.filters())

    # ----------------------------------------------------------------- lookup

    def source_of(self, filename: str) -> TemplateFile | None:
        """Where ``filename`` (``follow_up.txt.j2`` or a partial) is read from."""
        m = _FILE_RE.match(filename)
        name = m["name"] if m else None
        from_custom = filename in self._custom_files if m is None else (name in self._custom_names)
        if from_custom:
            entry = self._custom_files.get(filename)
            if entry is None:
                return None
            return TemplateFile(filename, _display_path(entry), builtin=False)
        entry = self._builtin_files.get(filename)
        if entry is None:
            return None
        return TemplateFile(filename, _display_path(entry), builtin=True)

    def info(self, name: str) -> TemplateInfo:
        info = TemplateInfo(name, DESCRIPTIONS.get(name, "custom template"))
        for part in PARTS:
            f = self.source_of(f"{name}.{part}{SUFFIX}")
            if f is not None:
                info.parts[part] = f
        return info

    def names(self) -> list[str]:
        """The known template names, then any other names in ``templates_dir``."""
        known = TEMPLATE_NAMES
        extra = sorted(self._custom_names - set(TEMPLATE_NAMES))
        return [*known, *extra]

    def for_language(self, language: str) -> TemplateSet:
        """The set a prospect email in ``language`` (a :data:`LANGUAGES` code) is rendered with.

        The root set itself for English in an English-speaking team (its
        custom folder, its formats); else the built-in ``templates/<code>/``
        shadowed by ``templates_dir/<code>/`` (or, for the team's own
        language without that subfolder, by ``templates_dir``), formatting in
        that language's locale (:func:`~.languages.format_locale`).
        """
        if self.language is not None:
            return self if language == self.language else self._root.for_language(language)
        if language not in LANGUAGES:
            raise ValueError(f"no template set for language {language!r}")
        team = team_language(self.settings.locale)
        if language == DEFAULT_LANGUAGE and team == DEFAULT_LANGUAGE:
            return self
        found = self._languages.get(language)
        if found is None:
            custom: Path | None = None
            if self.custom_dir is not None:
                sub = self.custom_dir / language
                if sub.is_dir():
                    custom = sub
                elif language == team and any(
                    n in self._custom_names for n in LANGUAGE_TEMPLATE_NAMES
                ):
                    custom = self.custom_dir
            builtin = (
                self.builtin if language == DEFAULT_LANGUAGE else self.builtin.joinpath(language)
            )
            locale = format_locale(language, self.settings.locale)
            found = TemplateSet(
                _replace_locale(self.settings, locale),
                templates_dir=custom if custom is not None else "",
                builtin=builtin,
                language=language,
            )
            found._parent = self
            self._languages[language] = found
        return found

    @property
    def _root(self) -> TemplateSet:
        return self._parent or self

    def partials(self) -> list[str]:
        names = set(self._builtin_files) | set(self._custom_files)
        return sorted(n for n in names if n.startswith("_"))

    def get(self, filename: str) -> jinja2.Template:
        return self.env.get_template(filename)


def _replace_locale(settings: DraftSettings, locale: str) -> DraftSettings:
    import dataclasses

    return dataclasses.replace(settings, locale=locale)


class _ShadowLoader(jinja2.BaseLoader):
    """Routes a file to the custom folder or the built-ins, per template name."""

    def __init__(self, owner: TemplateSet, loaders: list[jinja2.BaseLoader]) -> None:
        self.owner = owner
        self.custom = loaders[0] if len(loaders) == 2 else None
        self.builtin = loaders[-1]

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        f = self.owner.source_of(template)
        if f is None:
            raise jinja2.TemplateNotFound(template)
        loader = self.builtin if f.builtin or self.custom is None else self.custom
        return loader.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return sorted(set(self.builtin.list_templates()) | set(self.owner._custom_files))


# --------------------------------------------------------------------------- list / show / init


def list_templates(templates_dir: str | Path | None = None) -> list[TemplateInfo]:
    """Every template name, what it is for, and where each of its files comes from.

    The English set first (``follow_up``), then each language's
    (``de/follow_up``: the German set, as ``templates_dir/de/`` shadows it).
    """
    ts = TemplateSet(templates_dir=templates_dir)
    infos = [ts.info(n) for n in ts.names()]
    for language in LANGUAGES:
        if language == DEFAULT_LANGUAGE:
            continue
        child = ts.for_language(language)
        for n in child.names():
            info = child.info(n)
            info.name = f"{language}/{n}"
            infos.append(info)
    return infos


def show_template(name: str, templates_dir: str | Path | None = None) -> str:
    """The files of template ``name`` (``follow_up``, ``de/follow_up``) as they are in effect."""
    ts = TemplateSet(templates_dir=templates_dir)
    language, _, bare = name.rpartition("/")
    if language:
        if language not in LANGUAGES:
            raise ConfigError(
                f"no template set for language {language!r}",
                hint="languages: " + ", ".join(LANGUAGES),
            )
        ts = ts.for_language(language)
        name = bare
    if name not in ts.names():
        raise ConfigError(
            f"no template named {name!r}", hint="known templates: " + ", ".join(ts.names())
        )
    info = ts.info(name)
    out = []
    for part in PARTS:
        f = info.parts.get(part)
        if f is None:
            continue
        origin = "built-in" if f.builtin else "custom"
        text, _, _ = ts.env.loader.get_source(ts.env, f.name)  # type: ignore[union-attr]
        out.append(f"==> {f.path} ({origin}) <==\n{text}")
        if not text.endswith("\n"):
            out[-1] += "\n"
    return "\n".join(out)


def templates_text(infos: list[TemplateInfo]) -> str:
    """``sheetsync templates list`` for people: name, purpose, and each file's origin."""
    lines = []
    for info in infos:
        origin = "custom" if info.custom else "built-in"
        lines.append(f"{info.name} ({origin}): {info.description}")
        for part in PARTS:
            f = info.parts.get(part)
            lines.append(f"  {part:<8} {f.path if f is not None else '-'}")
    return "\n".join(lines) + "\n"


def init_templates(folder: str | Path) -> list[Path]:
    """Copy the built-in templates into ``folder`` to edit; never overwrite a file.

    The English set goes in ``folder`` itself, each language's in
    ``folder/<code>/`` (where :meth:`TemplateSet.for_language` looks).

    Refuses (a :class:`ConfigError`, nothing copied) when any of the files is
    already there: re-running ``init`` must not wipe someone's edits.
    """
    target = Path(folder).expanduser()
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} exists and is not a folder")
    root = default_templates_dir()
    builtin = dict(_files(root))
    for language in LANGUAGES:  # the language sets too, each in its <code>/ folder
        folder_of = root.joinpath(language)
        if language != DEFAULT_LANGUAGE and folder_of.is_dir():
            builtin.update({f"{language}/{n}": e for n, e in _files(folder_of).items()})
    clash = sorted(n for n in builtin if (target / n).exists())
    if clash:
        raise ConfigError(
            f"{target} already has {', '.join(clash)}; nothing was copied",
            hint="choose an empty folder, or delete the files you want fresh copies of",
        )
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(builtin):
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="") as fh:
            fh.write(builtin[name].read_text(encoding="utf-8"))
        written.append(path)
    return written


# --------------------------------------------------------------------------- preflight


def _where(f: TemplateFile | None, filename: str, lineno: int | None) -> str:
    path = f.path if f is not None else filename
    return f"{path}:{lineno}" if lineno else path


def _fail(
    ts: TemplateSet, filename: str, lineno: int | None, msg: str, hint: str = ""
) -> TemplateError:
    return TemplateError(
        f"{_where(ts.source_of(filename), filename, lineno)}: {msg}",
        hint=hint or "fix the template (see `sheetsync templates show NAME` for the built-in one)",
    )


def preflight(ts: TemplateSet, names: tuple[str, ...] | list[str] | None = None) -> None:
    """Check every template before anything is rendered (see the module notes).

    Raises :class:`TemplateError` at the first problem, naming the file and
    line; returns None when every template is fine.
    """
    every = names is None  # all the templates: every language set too
    # A built-in language set cannot change while sheetsync runs: checked once
    # per process and settings (a night of many drafts runs checks it once).
    builtin_key = (ts.language, repr(ts.settings)) if ts.custom_dir is None else None
    if every and ts.language is not None and builtin_key in _CHECKED_BUILTIN:
        return
    names = list(names) if names is not None else ts.names()
    for filename in ts._custom_files:
        m = _FILE_RE.match(filename)
        if m is None and not filename.startswith("_"):
            raise _fail(
                ts,
                filename,
                None,
                "not a template file name",
                hint="name files NAME.subject.j2, NAME.txt.j2 or NAME.html.j2 (partials: _NAME.j2)",
            )
        if m is not None and m["name"] not in TEMPLATE_NAMES:
            raise _fail(
                ts,
                filename,
                None,
                f"unknown template name {m['name']!r}",
                hint="known templates: " + ", ".join(TEMPLATE_NAMES),
            )
    union: dict[str, Any] = {}
    for schema in SCHEMAS.values():
        for k, v in schema.items():
            union.setdefault(k, v)
    for partial in ts.partials():
        _check_file(ts, partial, union, lenient=True)
    for name in names:
        found = SCHEMAS.get(name)
        if found is None:
            continue
        schema = found
        info = ts.info(name)
        for part in REQUIRED_PARTS:
            if part not in info.parts:
                where = ts.custom_dir / f"{name}.{part}{SUFFIX}" if ts.custom_dir else name
                raise TemplateError(
                    f"{where}: missing; template {name!r} needs a subject and a text body",
                    hint=f"copy it from the built-ins with `sheetsync templates show {name}`",
                )
        for part in PARTS:
            if part in info.parts:
                _check_file(ts, info.parts[part].name, schema)
        for context in sample_contexts(name, ts.settings, ts.language or DEFAULT_LANGUAGE):
            for part in PARTS:
                if part in info.parts:
                    render_file(ts, info.parts[part].name, context)
    if ts.language is None and every:
        for language in LANGUAGES:  # every language set, so a German deal never breaks at night
            child = ts.for_language(language)
            if child is not ts:
                preflight(child)
    if every and ts.language is not None and builtin_key is not None:
        _CHECKED_BUILTIN.add(builtin_key)


_CHECKED_BUILTIN: set[tuple[str | None, str]] = set()


def render_file(ts: TemplateSet, filename: str, context: Mapping[str, Any]) -> str:
    """Render one file; any failure is a :class:`TemplateError` with the template line."""
    try:
        return ts.get(filename).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise _fail(ts, exc.name or filename, exc.lineno, exc.message or str(exc)) from None
    except TemplateError:
        raise
    except Exception as exc:  # noqa: BLE001 - any render failure names the template line
        file, line = _template_frame(exc, filename)
        msg = str(exc) if isinstance(exc, jinja2.UndefinedError) else f"{type(exc).__name__}: {exc}"
        raise _fail(ts, file, line, msg) from None


def _template_frame(exc: BaseException, default: str) -> tuple[str, int | None]:
    """The innermost template file and line in ``exc``'s traceback (Jinja rewrites it)."""
    found: tuple[str, int | None] = (default, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(SUFFIX):
            found = (os.path.basename(frame.filename), frame.lineno)
    return found


def _check_file(
    ts: TemplateSet, filename: str, schema: Mapping[str, Any], *, lenient: bool = False
) -> None:
    try:
        source, path, _ = ts.env.loader.get_source(ts.env, filename)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        raise _fail(ts, filename, None, "not found") from None
    try:
        ast = ts.env.parse(source, filename, path)
        ts.env.compile(ast, filename, path)
    except jinja2.TemplateSyntaxError as exc:
        raise _fail(ts, filename, exc.lineno, exc.message or str(exc)) from None
    for ref in meta.find_referenced_templates(ast):
        if ref is not None and ts.source_of(ref) is None:
            line = _first_line(ast, _is_const(ref))
            raise _fail(ts, filename, line, f"includes {ref!r}, which does not exist")
    known = set(schema) | set(ts.env.globals)
    for var in sorted(meta.find_undeclared_variables(ast)):
        if var not in known:
            line = _first_line(ast, _is_load(var))
            raise _fail(
                ts,
                filename,
                line,
                f"unknown variable {var!r}",
                hint="variables here: " + ", ".join(sorted(schema)) + " (README: 'Email drafts')",
            )
    _Checker(ts, filename, schema, lenient).visit_body(ast.body, dict(schema))


def _is_const(value: str) -> Callable[[nodes.Node], bool]:
    return lambda n: isinstance(n, nodes.Const) and n.value == value


def _is_load(name: str) -> Callable[[nodes.Node], bool]:
    return lambda n: isinstance(n, nodes.Name) and n.name == name and n.ctx == "load"


def _first_line(ast: nodes.Node, pred: Callable[[nodes.Node], bool]) -> int | None:
    for n in _walk(ast):
        if pred(n):
            return n.lineno
    return None


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


# --------------------------------------------------------------------------- attribute checks

ANY = object()  # a value whose attributes are not checked (loop, macro arguments, filters…)


def _attr_ok_on_types(spec: Any, attr: str) -> bool:
    types = spec if isinstance(spec, tuple) else (spec,)
    return any(hasattr(t, attr) for t in types if t is not type(None))


class _Checker:
    """Walks a template's syntax tree and checks attribute chains against the schema.

    ``{{ deal.compnay }}`` is caught here, with its line; names bound inside
    the template (``for``, ``set``, macro arguments) carry the type of what
    they were bound to when it is known (``for a in actions`` → an action
    item), else nothing is checked below them.
    """

    def __init__(
        self, ts: TemplateSet, filename: str, schema: Mapping[str, Any], lenient: bool
    ) -> None:
        self.ts = ts
        self.filename = filename
        self.schema = schema
        self.lenient = lenient

    def fail(self, node: nodes.Node, msg: str, hint: str = "") -> TemplateError:
        return _fail(self.ts, self.filename, node.lineno, msg, hint)

    def visit_body(self, body: list[nodes.Node], scope: dict[str, Any]) -> None:
        for node in body:
            self.visit(node, scope)

    def visit(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.For):
            self.typeof(node.iter, scope)
            item = self.item_of(node.iter, scope)
            inner = dict(scope)
            self.bind(node.target, item, inner)
            inner["loop"] = ANY
            if node.test is not None:
                self.typeof(node.test, inner)
            self.visit_body(node.body, inner)
            self.visit_body(node.else_, dict(scope))
            return
        if isinstance(node, nodes.Assign):
            spec = self.typeof(node.node, scope)
            self.bind(node.target, spec, scope)
            return
        if isinstance(node, nodes.AssignBlock):
            self.visit_body(node.body, dict(scope))
            self.bind(node.target, ANY, scope)
            return
        if isinstance(node, nodes.Macro | nodes.CallBlock):
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = ANY
            inner.update({"caller": ANY, "varargs": ANY, "kwargs": ANY})
            for d in node.defaults:
                self.typeof(d, scope)
            if isinstance(node, nodes.Macro):
                scope[node.name] = ANY
            else:
                self.typeof(node.call, scope)
            self.visit_body(node.body, inner)
            return
        if isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=False):
                self.bind(target, self.typeof(value, scope), inner)
            self.visit_body(node.body, inner)
            return
        if isinstance(node, nodes.Expr):
            self.typeof(node, scope)
            return
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self.typeof(child, scope)
            else:
                self.visit(child, scope)

    def bind(self, target: nodes.Node, spec: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = spec
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANY, scope)
        elif isinstance(target, nodes.NSRef):
            pass

    def item_of(self, iterable: nodes.Node, scope: dict[str, Any]) -> Any:
        spec = self.typeof(iterable, scope)
        if isinstance(spec, list):
            return spec[0]
        return ANY

    def typeof(self, node: nodes.Node, scope: dict[str, Any]) -> Any:
        """The spec of an expression's value (ANY when unknown), checking on the way."""
        if isinstance(node, nodes.Name):
            if node.ctx != "load":
                return ANY
            if node.name in scope:
                return scope[node.name]
            return ANY  # globals and undeclared names are checked by find_undeclared_variables
        if isinstance(node, nodes.Getattr):
            return self.attr(node, self.typeof(node.node, scope), node.attr)
        if isinstance(node, nodes.Getitem):
            base = self.typeof(node.node, scope)
            self.typeof(node.arg, scope)
            if isinstance(node.arg, nodes.Const):
                if isinstance(node.arg.value, str):
                    return self.attr(node, base, node.arg.value)
                if isinstance(node.arg.value, int) and isinstance(base, list):
                    return base[0]
            return ANY
        if isinstance(node, nodes.Filter | nodes.Test):
            if node.node is not None:
                self.typeof(node.node, scope)
            for arg in node.args:
                self.typeof(arg, scope)
            for kw in node.kwargs:
                self.typeof(kw.value, scope)
            if isinstance(node, nodes.Filter) and node.name in (
                "sort",
                "reverse",
                "list",
                "unique",
            ):
                return self.typeof(node.node, scope) if node.node is not None else ANY
            return ANY
        if isinstance(node, nodes.CondExpr):
            self.typeof(node.test, scope)
            a = self.typeof(node.expr1, scope)
            if node.expr2 is not None:
                self.typeof(node.expr2, scope)
            return a if node.expr2 is None else ANY
        if isinstance(node, nodes.Call):
            self.typeof(node.node, scope)
            for arg in node.args:
                self.typeof(arg, scope)
            for keyword in node.kwargs:
                self.typeof(keyword.value, scope)
            return ANY
        for child in node.iter_child_nodes():
            self.typeof(child, scope)
        return ANY

    def attr(self, node: nodes.Node, base: Any, attr: str) -> Any:
        if base is ANY:
            return ANY
        if isinstance(base, Mapping):
            if attr in base:
                return base[attr]
            if self.lenient:
                return ANY
            raise self.fail(
                node,
                f"unknown attribute {attr!r}",
                hint="known here: " + ", ".join(sorted(base)) + " (README: 'Email drafts')",
            )
        if isinstance(base, list):
            if hasattr(list, attr):
                return ANY
            raise self.fail(node, f"a list has no attribute {attr!r}")
        if _attr_ok_on_types(base, attr):
            return ANY
        types = base if isinstance(base, tuple) else (base,)
        kinds = " or ".join(t.__name__ for t in types if t is not type(None))
        raise self.fail(node, f"unknown attribute {attr!r} on a {kinds} value")


def check_templates(settings: DraftSettings | None = None) -> TemplateSet:
    """Load the templates ``settings`` says and preflight all of them; the set, ready to render."""
    ts = TemplateSet(settings)
    preflight(ts)
    return ts
