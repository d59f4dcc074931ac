"""`treadpace mqtt remove-discovery`: take the treadmill off Home Assistant cleanly.

The bridge publishes its Home Assistant discovery configs retained, so they
outlive the run (that is what keeps the dashboard populated). This command
clears them, plus the retained state and availability, with empty retained
payloads on the broker of the profile's `mqtt:` section.
"""

from __future__ import annotations

import typer

from treadpace.commands.options import ProfileOption


def remove_discovery_command(profile: ProfileOption = None) -> None:
    """Remove the Home Assistant device and the retained state from the MQTT broker."""
    import asyncio

    from treadpace.mqtt import remove_discovery
    from treadpace.mqtt.settings import describe
    from treadpace.plans import load_profile

    settings = load_profile(profile).mqtt
    cleared = asyncio.run(remove_discovery(settings))
    print(f"cleared {cleared} retained topics on {describe(settings)}")


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="MQTT and Home Assistant helpers.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,  # plain help, as the top level's (cli.py)
    )
    group.command("remove-discovery")(remove_discovery_command)
    app.add_typer(group, name="mqtt")
