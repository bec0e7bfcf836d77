"""The `sightline` command: Sightline's own management commands, with help that lists only them.

Every command honours DATABASE_URL (a SQLite file under var/ by default). Any Django management
command also works (`sightline runserver`, `sightline createsuperuser`)."""

from __future__ import annotations

import os
import sys

# command name -> (Django management command, one-line help). Multi-word commands
# (`sightline people export`) are management commands with subcommands.
COMMANDS: dict[str, tuple[str, str]] = {
    "migrate": (
        "migrate",
        "Create or update the database schema (run on an empty database first).",
    ),
    "sources": ("sources", "Register and list agency feeds (source systems)."),
    "import": ("import", "Import agency feeds (JSON Lines or CSV in the sightline/1 format)."),
    "synth": ("synth", "Generate a synthetic county's agency feeds and ground truth."),
    "link": ("link", "Link people across feeds (identity resolution)."),
    "replay": (
        "replay",
        "Replay feeds in a throwaway database: every alert, and when it would have come.",
    ),
    "people": ("people", "People commands: `sightline people export`."),
    "identity": ("identity", "Identity commands: `sightline identity evaluate`, `train`."),
    "alerts": (
        "alerts",
        "Alert rules: `sightline alerts check [DIR...]` validates them and runs their cases.",
    ),
    "partnership": (
        "partnership",
        "Set up the partnership: agencies, teams, people and their roles (YAML or one by one).",
    ),
    "demo": ("demo", "Set up the demo: accounts, synthetic county, import, link."),
    "serve": ("serve", "Serve Sightline (127.0.0.1, PORT or 8000); runs tick every minute."),
    "tick": ("tick", "Run the background work that is due (periodic jobs, queued tasks)."),
    "accounts": (
        "accounts",
        "Accounts: `sightline accounts reset-2fa EMAIL`, `sign-out-everywhere EMAIL`.",
    ),
    "audit": (
        "audit",
        "The audit log: `sightline audit verify [--against FILE...]`, `export-head`.",
    ),
    "sar": (
        "sar",
        "Subject access: `sightline sar export REFERENCE --out DIR`, `sign-off`, `list`.",
    ),
    "retention": (
        "retention",
        "Retention: `sightline retention plan`, `approve RUN --by EMAIL`, `execute RUN`, `hold`.",
    ),
}


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        "usage: sightline COMMAND [options]",
        "",
        "Sightline: one live, explainable picture of each child across every agency.",
        "",
        "Commands:",
    ]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += [
        "",
        "`sightline COMMAND --help` explains a command. The database is DATABASE_URL",
        "(for example postgres://user@host:5432/sightline), or var/sightline.sqlite3.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())  # noqa: T201
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    name = args[0]
    command = COMMANDS.get(name, (name, ""))[0]
    execute_from_command_line(["sightline", command, *args[1:]])


if __name__ == "__main__":
    main()
