"""The ``labelsvc`` command: a thin shell over the service functions."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from labelsvc.cli.commands import LazyGroup
from labelsvc.config import Settings, load_settings
from labelsvc.domain.errors import LabelsvcError

if TYPE_CHECKING:
    from labelsvc.services.app import App

F = TypeVar("F", bound=Callable[..., Any])


class CliState:
    """Settings and the opened app, created on first use so ``--help`` needs no database."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._settings: Settings | None = None
        self._app: App | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    @property
    def app(self) -> App:
        if self._app is None:
            from labelsvc.services.app import App

            self._app = App.open(self.settings, create=False)
        return self._app


def pass_app(f: F) -> F:
    """Give a command the opened :class:`App` as its first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        state = ctx.find_object(CliState)
        assert state is not None
        return ctx.invoke(f, state.app, *args, **kwargs)

    wrapper.__name__ = f.__name__
    wrapper.__doc__ = f.__doc__
    return wrapper  # type: ignore[return-value]


def pass_settings(f: F) -> F:
    """Give a command the loaded :class:`Settings` as its first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        state = ctx.find_object(CliState)
        assert state is not None
        return ctx.invoke(f, state.settings, *args, **kwargs)

    wrapper.__name__ = f.__name__
    wrapper.__doc__ = f.__doc__
    return wrapper  # type: ignore[return-value]


class LabelsvcGroup(LazyGroup):
    """Shows core errors as one clear line and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LabelsvcError as exc:
            click.echo(f"error: {exc.detail}", err=True)
            sys.exit(2)


@click.group(cls=LabelsvcGroup)
@click.option(
    "--config",
    "config_path",
    envvar="LABELSVC_CONFIG",
    type=click.Path(dir_okay=False),
    help="Settings file (default: ./config.toml).",
)
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """labelsvc: serials, GS1 labels and printing for a warehouse dock."""
    ctx.obj = CliState(config_path)
