"""Admin templates: a template that does not parse or render is refused, naming the line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labelsvc.domain.errors import InvalidInput, NotFound
from labelsvc.gs1 import Gs1Error
from labelsvc.labels import LabelData, LabelRenderError, TemplateLibrary

GOOD = """{# kind: unit #}
^XA^CI28^PW{{ 50.8 | mm }}^LL{{ 25.4 | mm }}
{{ elements | datamatrix(2, 2) }}
{{ data.description | text(20, 2, 3) }}
^XZ
"""


def _refused(library: TemplateLibrary, text: str) -> LabelRenderError:
    with pytest.raises(LabelRenderError) as caught:
        library.add("custom", text)
    assert caught.value.code == "label-render"
    assert library.names() == []  # nothing was saved
    return caught.value


def test_add_saves_a_good_template_and_renders_it(scratch_library: TemplateLibrary) -> None:
    scratch_library.add("custom", GOOD)
    assert scratch_library.names() == ["custom"]
    assert scratch_library.source("custom") == GOOD
    assert scratch_library.kind_of("custom") == "unit"
    drawn = scratch_library.preview("custom", LabelData.sample("unit"), 300)
    assert "Organic Oat Muesli 500 g" in drawn.texts()


def test_syntax_error_names_the_line(scratch_library: TemplateLibrary) -> None:
    error = _refused(scratch_library, GOOD.replace("{{ data.description", "{% if %}{{ x"))
    assert "line 4" in error.detail
    assert error.fields["line"] == 4


def test_unknown_variable_names_the_line_and_the_variable(
    scratch_library: TemplateLibrary,
) -> None:
    error = _refused(scratch_library, GOOD.replace("data.description", "data.descripton"))
    assert "line 4" in error.detail and "descripton" in error.detail


def test_missing_variable_is_an_error_not_a_blank(scratch_library: TemplateLibrary) -> None:
    error = _refused(scratch_library, GOOD.replace("data.description", "product_name"))
    assert "line 4" in error.detail and "product_name" in error.detail


def test_optional_value_printed_without_a_test_is_refused(
    scratch_library: TemplateLibrary,
) -> None:
    # The minimal sample has no lot, so printing it unguarded would print "None".
    text = GOOD.replace("^XZ", "^FO1,1^FD{{ data.lot }}^FS\n^XZ")
    error = _refused(scratch_library, text)
    assert "line 5" in error.detail and "None" in error.detail


def test_barcode_that_cannot_be_built_names_the_line(scratch_library: TemplateLibrary) -> None:
    text = GOOD.replace("elements | datamatrix", "[('01', '123')] | datamatrix")
    error = _refused(scratch_library, text)
    assert "line 3" in error.detail and "(01)" in error.detail


def test_kind_must_be_declared(scratch_library: TemplateLibrary) -> None:
    error = _refused(scratch_library, GOOD.replace("{# kind: unit #}", "{# a label #}"))
    assert "kind" in error.detail


def test_bad_names_are_refused(scratch_library: TemplateLibrary) -> None:
    for name in ("../evil", "Unit", "", "a b"):
        with pytest.raises(InvalidInput):
            scratch_library.add(name, GOOD)


def test_unknown_template_is_not_found(library: TemplateLibrary) -> None:
    with pytest.raises(NotFound) as caught:
        library.render_zpl("nope", LabelData.sample("unit"))
    assert "unit-4x6" in caught.value.detail  # names the known ones


def test_kind_mismatch_and_bad_data_are_explained(library: TemplateLibrary) -> None:
    with pytest.raises(LabelRenderError, match="prints unit labels"):
        library.render_zpl("unit", LabelData.sample("pallet"))
    with pytest.raises(Gs1Error, match=r"\(01\): check digit"):
        library.render_zpl("unit", LabelData(kind="unit", gtin="09506000134353"))
    with pytest.raises(InvalidInput, match="needs 'sscc'"):
        library.render_zpl("pallet", LabelData(kind="pallet"))


def test_a_changed_file_is_recompiled(scratch_library: TemplateLibrary) -> None:
    scratch_library.recheck_seconds = 0
    scratch_library.add("custom", GOOD)
    data = LabelData.sample("unit")
    assert b"^FO" in scratch_library.render_zpl("custom", data)
    path: Path = scratch_library.path("custom")
    path.write_text(GOOD.replace("^XZ", "^FX changed^FS\n^XZ"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert b"^FX changed" in scratch_library.render_zpl("custom", data)


def test_sandbox_blocks_python_internals(scratch_library: TemplateLibrary) -> None:
    text = GOOD.replace("data.description", "data.__class__.__init__.__globals__")
    error = _refused(scratch_library, text)
    assert "line 4" in error.detail
