"""Label templates: load, validate, and render to ZPL, a PNG preview or ESC/POS.

Templates are Jinja2 files ``<name>.zpl.j2`` in one folder. The first Jinja comment
declares the label kind (``kind: unit``). Rendering is strict: a missing variable is an
error, and every printed value is escaped for ``^FH\\`` (see :mod:`labelsvc.labels.zpl`).
Compiled templates are cached per library and recompiled when the file changes.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, get_args

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from labelsvc.domain.errors import InvalidInput, LabelsvcError, NotFound
from labelsvc.gs1.dates import calendar_date
from labelsvc.gs1.digital_link import build_digital_link
from labelsvc.gs1.element import validate_elements
from labelsvc.labels.data import KINDS, Kind, LabelData
from labelsvc.labels.escpos_out import escpos_label
from labelsvc.labels.gs1_limits import Gs1LimitError
from labelsvc.labels.preview import Preview, PreviewError, preview
from labelsvc.labels.zpl import ZplSafe, escape, kit
from labelsvc.resources import resource

SUFFIX = ".zpl.j2"
DPIS = (203, 300)
SUPPORTED_DPIS = (152, 203, 300, 600)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
_HEADER = re.compile(r"\A\s*\{#-?(?P<body>.*?)-?#\}", re.DOTALL)
_HEADER_KIND = re.compile(r"^\s*kind\s*:\s*(?P<kind>\S+)\s*$", re.MULTILINE)


LABEL_RENDER = "label-render"


class TemplateSource(Protocol):
    """Where a library's templates live when not in its folder (the site's database)."""

    def names(self) -> list[str]: ...

    def read(self, name: str) -> str | None: ...

    def stamp(self, name: str) -> int | None:
        """A number that changes whenever the template changes (None: no such template)."""
        ...

    def write(self, name: str, text: str, by: str | None) -> None:
        """Save ``text`` as template ``name``, changed by ``by`` (an admin)."""
        ...


class LabelRenderError(InvalidInput):
    """A template that does not parse or render, or data it cannot print (code ``label-render``)."""


def _finalize(value: Any) -> str:
    """Jinja's hook for every ``{{ ... }}``: escape text, pass built ZPL, refuse the rest."""
    if type(value) is ZplSafe:
        return value
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, jinja2.Undefined):
        return str(value)  # StrictUndefined raises here, naming the variable
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise TypeError(
        f"cannot print {value!r} on a label; print text or numbers, and test optional "
        "values with {% if ... %} first"
    )


class _Sandbox(SandboxedEnvironment):
    """Admins upload templates: no access to Python internals, but label data is fast."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if type(obj) is LabelData or type(obj) is jinja2.runtime.LoopContext:
            return not attr.startswith("_")
        return bool(super().is_safe_attribute(obj, attr, value))


def _environment(dpi: int) -> jinja2.Environment:
    """One environment per printer resolution, so the helpers are plain (fast) filters."""
    env = _Sandbox(
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    k = kit(dpi)
    env.filters.update(
        mm=k.mm,
        text=k.text,
        datamatrix=k.datamatrix,
        gs1_128=k.gs1_128,
        gs1_split=k.gs1_split,
        ddmmyy=_ddmmyy,
        qr=k.qr,
        hri=k.hri,
        digital_link=_digital_link,
    )
    env.globals.update(box=k.box, dpi=dpi)
    return env


@dataclass(frozen=True)
class _Compiled:
    template: jinja2.Template
    kind: Kind
    mtime: int


def _kind_from(source: str, name: str) -> Kind:
    header = _HEADER.match(source)
    found = _HEADER_KIND.search(header["body"]) if header else None
    kind = found["kind"] if found else name.split("-", 1)[0]
    if kind not in get_args(Kind):
        raise LabelRenderError(
            LABEL_RENDER,
            f"template {name}, line 1: declare the label kind in a first comment, e.g. "
            f"'{{# kind: unit #}}' (one of {', '.join(KINDS)}).",
            template=name,
            line=1,
        )
    return kind  # type: ignore[return-value]


def _line_of(exc: BaseException, filename: str) -> int | None:
    """The template line an exception was raised from (Jinja rewrites tracebacks to it)."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return exc.lineno
    line = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _error(name: str, exc: BaseException, what: str) -> LabelRenderError:
    line = _line_of(exc, f"{name}{SUFFIX}")
    reason = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
    where = f"template {name}, line {line}" if line else f"template {name}"
    return LabelRenderError(LABEL_RENDER, f"{where}: {what}: {reason}", template=name, line=line)


class TemplateLibrary:
    """The ZPL templates of one folder, compiled once per dpi and rendered many times."""

    #: Seconds between checks whether a template file changed on disk.
    recheck_seconds = 1.0

    def __init__(self, folder: Path | str, source: TemplateSource | None = None) -> None:
        self.folder = Path(folder)
        self.store: TemplateSource | None = source  # None: the folder is the source
        self._envs: dict[int, jinja2.Environment] = {}
        self._cache: dict[tuple[str, int], _Compiled] = {}
        self._checked: dict[str, tuple[float, int]] = {}  # name -> (checked at, mtime)
        self._lock = threading.Lock()

    def path(self, name: str) -> Path:
        """The file of template ``name``; a bad name is refused before any file is touched."""
        if not _NAME.match(name):
            raise InvalidInput(
                "label-template-name",
                f"template name {name!r} must be 1-48 lower-case letters, digits, '-' or '_'.",
                template=name,
            )
        return self.folder / f"{name}{SUFFIX}"

    def names(self) -> list[str]:
        """Every template of the library (its store, or its folder), sorted."""
        if self.store is not None:
            return self.store.names()
        return sorted(p.name[: -len(SUFFIX)] for p in self.folder.glob(f"*{SUFFIX}"))

    def source(self, name: str) -> str:
        """The template text of ``name``."""
        try:
            if self.store is not None:
                self.path(name)  # the name check
                text = self.store.read(name)
                if text is None:
                    raise FileNotFoundError(name)
                return text
            return self.path(name).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFound(
                "label-template",
                f"no label template {name!r}; known: {', '.join(self.names()) or 'none'}.",
                template=name,
            ) from None

    def kind_of(self, name: str) -> Kind:
        """Which label kind template ``name`` prints: unit, case or pallet."""
        return self._compiled(name, DPIS[0]).kind

    def _env(self, dpi: int) -> jinja2.Environment:
        env = self._envs.get(dpi)
        if env is None:
            if dpi not in SUPPORTED_DPIS:
                raise LabelRenderError(
                    LABEL_RENDER,
                    f"dpi must be one of {', '.join(map(str, SUPPORTED_DPIS))}, got {dpi}.",
                    dpi=dpi,
                )
            env = self._envs[dpi] = _environment(dpi)
        return env

    def _compile(self, name: str, source: str, dpi: int) -> tuple[jinja2.Template, Kind]:
        kind = _kind_from(source, name)
        env = self._env(dpi)
        try:
            code = env.compile(source, name=name, filename=f"{name}{SUFFIX}")
        except jinja2.TemplateSyntaxError as exc:
            raise _error(name, exc, "does not parse") from exc
        return env.template_class.from_code(env, code, env.globals, None), kind

    def _mtime(self, name: str) -> int:
        """The file's mtime, looked up at most once per ``recheck_seconds``."""
        now = time.monotonic()
        seen = self._checked.get(name)
        if seen is not None and now - seen[0] < self.recheck_seconds:
            return seen[1]
        try:
            if self.store is not None:
                self.path(name)
                stamp = self.store.stamp(name)
                if stamp is None:
                    raise FileNotFoundError(name)
                mtime = stamp
            else:
                mtime = self.path(name).stat().st_mtime_ns
        except FileNotFoundError:
            self.source(name)  # raises NotFound naming the known templates
            raise
        self._checked[name] = (now, mtime)
        return mtime

    def _compiled(self, name: str, dpi: int) -> _Compiled:
        mtime = self._mtime(name)
        hit = self._cache.get((name, dpi))
        if hit is not None and hit.mtime == mtime:
            return hit
        template, kind = self._compile(name, self.source(name), dpi)
        compiled = self._cache[(name, dpi)] = _Compiled(template, kind, mtime)
        return compiled

    def validate_source(self, text: str, name: str = "new") -> None:
        """Raise LabelRenderError (naming line and reason) unless ``text`` is a usable template.

        Usable means: it parses, declares its kind, and renders and previews with full and
        with minimal sample data at 203 and 300 dpi.
        """
        for dpi in DPIS:
            template, kind = self._compile(name, text, dpi)
            for data in (LabelData.sample(kind), LabelData.minimal(kind)):
                zpl = _render(template, name, data, wrap_data_errors=True)
                try:
                    preview(zpl, dpi)
                except PreviewError as exc:
                    raise LabelRenderError(
                        LABEL_RENDER,
                        f"template {name}: the rendered ZPL cannot be drawn: {exc}",
                        template=name,
                    ) from exc

    def add(self, name: str, text: str, by: str | None = None) -> None:
        """Validate ``text`` and save it as template ``name`` (replacing one of that name);
        ``by`` is who changed it, for a library kept in a store."""
        path = self.path(name)
        self.validate_source(text, name)
        with self._lock:
            if self.store is not None:
                self.store.write(name, text, by)
            else:
                self.folder.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.name + ".tmp")
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, path)
            self._checked.pop(name, None)
            for key in [key for key in self._cache if key[0] == name]:
                del self._cache[key]

    def render_zpl(self, name: str, data: LabelData, dpi: int = 203) -> bytes:
        """The ZPL of one label: send it to a printer as-is, or concatenate several."""
        compiled = self._compiled(name, dpi)
        if compiled.kind != data.kind:
            raise LabelRenderError(
                LABEL_RENDER,
                f"template {name} prints {compiled.kind} labels; the data is for a {data.kind}.",
                template=name,
            )
        return _render(compiled.template, name, data)

    def preview(self, name: str, data: LabelData, dpi: int = 203) -> Preview:
        """The label drawn from its own ZPL, with the fields that were drawn."""
        zpl = self.render_zpl(name, data, dpi)
        try:
            return preview(zpl, dpi)
        except PreviewError as exc:
            raise LabelRenderError(LABEL_RENDER, f"template {name}: {exc}", template=name) from exc

    def render_png(self, name: str, data: LabelData, dpi: int = 203) -> bytes:
        """A PNG preview, one pixel per printer dot."""
        return self.preview(name, data, dpi).png()

    def render_escpos(self, name: str, data: LabelData) -> bytes:
        """The same label data for an ESC/POS printer: text, barcode image, feed and cut."""
        kind = self.kind_of(name)  # the template must exist, as for the other outputs
        if kind != data.kind:
            raise LabelRenderError(
                LABEL_RENDER,
                f"template {name} prints {kind} labels; the data is for a {data.kind}.",
                template=name,
            )
        return escpos_label(data)


def _digital_link(data: LabelData) -> str:
    """GS1 Digital Link of the unit's identity, (01) and (21), or "" without a resolver base.

    Lot and dates stay in the DataMatrix: a short URI keeps the QR small enough for 2 x 1 in.
    """
    if not data.digital_link_base or data.kind != "unit":
        return ""
    identity = [(ai, value) for ai, value in data.elements() if ai in ("01", "21")]
    return build_digital_link(identity, data.digital_link_base)


def _ddmmyy(yymmdd: str) -> str:
    """A GS1 date as the label's text shows it, ``31.12.26``; day 00 is the month's last."""
    return calendar_date(yymmdd).strftime("%d.%m.%y")


def _render(
    template: jinja2.Template, name: str, data: LabelData, wrap_data_errors: bool = False
) -> bytes:
    try:
        elements, content = data.elements(), data.content_elements()
        # GS1 association rules hold over everything one label carries, whatever the symbol.
        validate_elements([*elements, *content])
        context = {"data": data, "elements": elements, "content": content,
                   "message": [*elements, *content]}  # fmt: skip
        return template.render(context).encode("utf-8")
    except Gs1LimitError as exc:
        where = f"template {name}"
        raise LabelRenderError(LABEL_RENDER, f"{where}: the label data does not fit GS1 limits: "
                               f"{exc}", template=name) from exc  # fmt: skip
    except LabelsvcError as exc:
        if not wrap_data_errors:
            raise
        raise _error(name, exc, "does not render with sample data") from exc
    except Exception as exc:  # a template fault of any kind, reported with its line
        raise _error(name, exc, "does not render") from exc


@cache
def default_library() -> TemplateLibrary:
    """The templates shipped in the repository's ``zpl/`` folder."""
    return TemplateLibrary(resource("zpl"))


def _library(library: TemplateLibrary | None) -> TemplateLibrary:
    return library if library is not None else default_library()


def render_zpl(
    template: str, data: LabelData, dpi: int = 203, library: TemplateLibrary | None = None
) -> bytes:
    """ZPL of one label from template ``template`` (the shipped library by default)."""
    return _library(library).render_zpl(template, data, dpi)


def render_png(
    template: str, data: LabelData, dpi: int = 203, library: TemplateLibrary | None = None
) -> bytes:
    """PNG preview of one label, drawn from its ZPL."""
    return _library(library).render_png(template, data, dpi)


def render_escpos(template: str, data: LabelData, library: TemplateLibrary | None = None) -> bytes:
    """ESC/POS bytes of one label."""
    return _library(library).render_escpos(template, data)
