"""`python -m bot [run|migrate|check|backup|…]`: the command line of roadmap-bot."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from functools import cache

from bot.catalogs import load_catalogs
from bot.cli_arguments import (
    add_backup_arguments,
    add_org_arguments,
    add_report_arguments,
    add_survey_arguments,
)
from bot.cli_import import add_arguments as add_import_arguments
from bot.cli_import import run_import
from bot.data_dir import secure_data_dir
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from core.i18n import Catalogs
from services.instances import PollingTaken
from storage.migrate import upgrade_url

EXIT_OK = 0
EXIT_CONFIG = 2


def _cli_locale() -> str:
    language = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "en" if language.lower().startswith("en") else "ru"


@cache
def _catalogs() -> Catalogs:
    """The catalogs, compiled once: building the parser alone asks for some forty texts."""
    return load_catalogs()


def _say(key: str, **params: object) -> str:
    return _catalogs().gettext(key, _cli_locale()).format(**params)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roadmap-bot", description=_say("cli.description"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help=_say("cli.run"))
    commands.add_parser("migrate", help=_say("cli.migrate"))
    commands.add_parser("check", help=_say("cli.check"))
    demo = commands.add_parser("demo", help=_say("cli.demo"))
    demo.add_argument("--port", type=int, default=8080, help=_say("cli.demo.port"))
    demo.add_argument("--fresh", action="store_true", help=_say("cli.demo.fresh"))
    add_import_arguments(commands.add_parser("import", help=_say("cli.import")), _say)
    add_org_arguments(commands, _say)
    add_survey_arguments(commands, _say)
    add_report_arguments(commands, _say)
    add_backup_arguments(commands, _say)
    return parser


async def _run(settings: Settings) -> None:
    from bot.app import Application, freeze_start_up_objects

    application = await Application.create(settings)
    # Here, not in run_polling: tests start many applications in one process.
    freeze_start_up_objects()
    await application.run()


def _demo(arguments: argparse.Namespace, settings: Settings) -> None:
    """The demo's own settings and data (DATA_DIR/demo): the real ones are never touched."""
    from demo.main import PortBusy, run_demo

    data_dir = settings.data_dir / "demo"
    try:
        asyncio.run(
            run_demo(
                data_dir,
                arguments.port,
                fresh=arguments.fresh,
                say=lambda url: print(_say("cli.demo.started", url=url, data_dir=data_dir)),
            )
        )
    except PortBusy as busy:
        raise SettingsError("--port", "cli.demo.port_busy") from busy


async def _migrate(settings: Settings) -> None:
    revision = await upgrade_url(settings.resolved_database_url)
    print(_say("cli.migrated", revision=revision))


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    if arguments.command == "check":
        # A bad setting is one of its report's lines, not a refusal to start.
        from bot.cli_check import run_check

        return run_check(_catalogs(), _cli_locale(), out=print)
    try:
        settings = load_settings()
        configure_logging(settings)
        secure_data_dir(settings)
        if arguments.command == "migrate":
            asyncio.run(_migrate(settings))
        elif arguments.command == "demo":
            _demo(arguments, settings)
        elif arguments.command == "import":
            return run_import(
                arguments,
                settings,
                _catalogs(),
                _cli_locale(),
                err=lambda line: print(line, file=sys.stderr),
            )
        elif arguments.command == "survey":
            from bot.cli_survey import run_survey

            return run_survey(
                arguments,
                settings,
                _catalogs(),
                _cli_locale(),
                err=lambda line: print(line, file=sys.stderr),
            )
        elif arguments.command in ("roadmap", "report"):
            from bot.cli_report import run_report

            return run_report(
                arguments,
                settings,
                _catalogs(),
                _cli_locale(),
                err=lambda line: print(line, file=sys.stderr),
            )
        elif arguments.command in ("backup", "restore"):
            from bot.cli_backup import run_backup

            return run_backup(
                arguments,
                settings,
                _catalogs(),
                _cli_locale(),
                err=lambda line: print(line, file=sys.stderr),
            )
        elif arguments.command in ("org", "person"):
            from bot.cli_org import run_org

            return run_org(
                arguments,
                settings,
                _catalogs(),
                _cli_locale(),
                err=lambda line: print(line, file=sys.stderr),
            )
        else:
            asyncio.run(_run(settings))
    except SettingsError as error:
        print(f"{error.variable}: {_say(error.key)}", file=sys.stderr)
        return EXIT_CONFIG
    except PollingTaken as error:
        print(_say(error.key), file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:
        # `python -m bot import … | head`: the reader left; nothing more to say.
        sys.stderr.close()
    return EXIT_OK


if __name__ == "__main__":
    logging.captureWarnings(True)
    sys.exit(main())
