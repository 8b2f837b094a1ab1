"""``ocpihub enum …``: the open-enum registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ocpihub.cli._common import act, print_json, read, settings_or_exit

if TYPE_CHECKING:
    from ocpihub.composition import Hub
    from ocpihub.store.reads import Listing

__all__ = ["app"]

app = typer.Typer(
    help="Values accepted in 2.3.0 open enums beyond the spec's.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("list")
def enum_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List every open enum with the operator's extra values."""
    from ocpihub.hub.enums import EnumRegistry

    settings = settings_or_exit()

    def listing() -> Listing[dict[str, Any]]:
        registry = EnumRegistry(settings.custom_enum_values)
        yield from registry.reading()
        return registry.describe()

    described = read(settings, listing)
    if as_json:
        print_json(described)
        return
    for name, values in described.items():
        custom = ", ".join(values["custom"]) or "-"
        typer.echo(f"{name:<28} {len(values['spec']):>3} spec values; custom: {custom}")


@app.command("add")
def enum_add(
    enum_name: Annotated[str, typer.Argument(help="Open enum, e.g. ConnectorType.")],
    value: Annotated[str, typer.Argument(help="The value to accept.")],
) -> None:
    """Accept VALUE in the open enum ENUM_NAME from now on."""
    settings = settings_or_exit()

    async def work(hub: Hub) -> bool:
        return await hub.enums.register(hub.db, enum_name, value)

    added = act(settings, work)
    typer.echo(f"{enum_name}: {value} {'registered' if added else 'was already accepted'}")
