"""``labelsvc render``: one label from a template to a ZPL, PNG or ESC/POS file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from labelsvc.cli import CliState
from labelsvc.config import load_settings
from labelsvc.domain.errors import InvalidInput, LabelsvcError
from labelsvc.labels.data import LabelData
from labelsvc.labels.render import TemplateLibrary
from labelsvc.resources import resource


def _data(library: TemplateLibrary, template: str, raw: str | None) -> LabelData:
    """Sample data for the template's kind, or the JSON object given (kind defaults too)."""
    kind = library.kind_of(template)
    if raw is None:
        return LabelData.sample(kind)
    try:
        values = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not valid JSON: {exc}", param_hint="--data") from exc
    if not isinstance(values, dict):
        raise click.BadParameter("must be a JSON object of label fields", param_hint="--data")
    return LabelData.from_mapping({"kind": kind, **values})


def _site_templates(ctx: click.Context) -> Path:
    """The configured template folder of the site, or the shipped one outside any site."""
    state = ctx.find_object(CliState)
    try:
        settings = state.settings if state is not None else load_settings()
    except InvalidInput as exc:
        if exc.code != "site-missing":
            raise
        return resource("zpl")
    return settings.path(settings.paths.zpl)


@click.command()
@click.option("--template", "-t", required=True, help="Template name, e.g. unit or pallet.")
@click.option(
    "--dpi",
    type=click.Choice(["203", "300"]),
    default="203",
    show_default=True,
    help="Printer resolution.",
)
@click.option(
    "--as",
    "output",
    type=click.Choice(["zpl", "png", "escpos"]),
    default="zpl",
    show_default=True,
    help="What to write.",
)
@click.option(
    "--data",
    "data_json",
    default=None,
    help='JSON object of label fields, e.g. \'{"gtin": "09506000134352", '
    '"serial": "A1"}\'; sample data when omitted.',
)
@click.option(
    "--zpl-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of ZPL templates (default: the site's paths.zpl, else the shipped ones).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write ('-' for standard output).",
)
@click.pass_context
def render(
    ctx: click.Context,
    template: str,
    dpi: str,
    output: str,
    data_json: str | None,
    zpl_dir: Path | None,
    output_file: Path,
) -> None:
    """Render one label from a template, with sample data unless --data is given."""
    library = TemplateLibrary(zpl_dir or _site_templates(ctx))
    unsupported: list[str] = []
    try:
        data = _data(library, template, data_json)
        if output == "png":
            drawn = library.preview(template, data, int(dpi))
            body, unsupported = drawn.png(), drawn.unsupported
        elif output == "escpos":
            body = library.render_escpos(template, data)
        else:
            body = library.render_zpl(template, data, int(dpi))
    except LabelsvcError as exc:
        raise click.ClickException(exc.detail) from exc
    if str(output_file) == "-":
        sys.stdout.buffer.write(body)
    else:
        output_file.write_bytes(body)
        click.echo(
            f"wrote {output_file} ({len(body)} bytes, {output}, template {template})", err=True
        )
    for note in unsupported:  # the preview differs from the print here
        click.echo(f"preview: {note}", err=True)
