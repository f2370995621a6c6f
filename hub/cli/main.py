"""Entry point of the `hub` command: groups every verb and turns errors into messages and exit codes."""

from __future__ import annotations

import logging
import os
import sys
import traceback

import click

from hub import __version__
from hub.errors import EXIT_CODES, HubError, M
from hub.settings import hub_home

EPILOG = "\b\nExit codes:\n" + "\n".join(f"  {code:>3}  {text}" for code, text in EXIT_CODES.items())


class HubGroup(click.Group):
    """A click group that prints HubError messages (never a stack trace) and exits with their code."""

    def invoke(self, ctx: click.Context):
        """Run the command; map errors to exit codes."""
        try:
            return super().invoke(ctx)
        except HubError as exc:
            _log_exception(exc)
            click.echo(M.text("cli.error", message=exc.user_message()), err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence: no trace on screen
            path = _log_exception(exc)
            if ctx.find_root().params.get("debug"):
                traceback.print_exc()
            click.echo(M.text("cli.internal", kind=type(exc).__name__, path=path), err=True)
            sys.exit(1)


def _log_exception(exc: BaseException):
    """Append the full trace to .hub/logs/hub.log; return the path."""
    path = hub_home() / "logs" / "hub.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
        logger = logging.getLogger("hub.cli")
        logger.addHandler(handler)
        logger.error("command failed: %s", getattr(exc, "internal", None) or type(exc).__name__,
                     exc_info=(type(exc), exc, exc.__traceback__))
        logger.removeHandler(handler)
        handler.close()
    except OSError:
        pass
    return path


@click.group(cls=HubGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hub")
@click.option("--debug", is_flag=True, help="Show Python tracebacks of internal errors.")
def cli(debug: bool) -> None:
    """Land & Environment Data Hub: Vietnamese land data into PostGIS, published as OGC APIs.

    \b
    Typical session:
      hub db up                          # start the embedded PostGIS (or set HUB_DATABASE_URL)
      hub catalog list                   # datasets the hub knows
      hub ingest cadastre_cantho data/*.shp --crs 5897
      hub publish && hub serve           # OGC API on http://127.0.0.1:5000

    \b
    Ports (a second copy of the hub needs its own):
      HUB_DB_PORT    embedded PostgreSQL on 127.0.0.1 (default 55432)
      HUB_API_PORT   OGC API server (default 5000; or hub serve --port)
      e.g. HUB_DB_PORT=55433 HUB_API_PORT=5001 make demo
    Language of messages: HUB_LANG=vi|en, else LANG (vi_VN.UTF-8 -> Vietnamese).
    """


def _register() -> None:
    """Attach the verb groups."""
    from hub.cli import catalog, db, ingest, publish, ref, runs, samples, serve

    for command in (db.db, catalog.catalog, samples.samples, ingest.ingest, runs.runs, publish.publish,
                    serve.serve, ref.ref):
        cli.add_command(command)


_register()


def main() -> None:
    """The installed `hub` command: run the CLI, then exit without the interpreter's teardown.

    Once a command has returned, its connections, files, pools and threads are closed; tearing down the modules
    and allocators of GDAL, PROJ and Arrow after a large ingest still took ~0.3 s. The streams and logs are
    flushed and the process leaves with the command's exit code."""
    try:
        cli.main(prog_name="hub")
        code = 0
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    main()
