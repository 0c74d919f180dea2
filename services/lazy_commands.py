"""A click command group whose commands are loaded when named: `chhub run` then loads only the
service it runs, not the modules (and their memory) of every other command."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import click


class LazyCommands(click.Group):
    """Commands in `lazy` are built on first use, by name or when --help lists them."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, Callable[[], click.Command]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            self.add_command(self.lazy[name](), name)
        return super().get_command(ctx, name)


def command_in(module: str, name: str) -> Callable[[], click.Command]:
    """The command `name` of `module`, imported when asked for."""
    return lambda: getattr(importlib.import_module(module), name)
