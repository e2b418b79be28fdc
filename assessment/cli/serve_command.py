"""`wmm serve`: start the app the way a facilitator needs it on workshop day.

Before the server listens, the database is created or checked, the demo seeded on a fresh SQLite
file, and the survey link and facilitator login printed; then Streamlit serves `assessment.ui.app`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from assessment import runtime
from assessment.cli.messages import say
from assessment.cli.storage_commands import db_option
from assessment.storage.engine import ENV_VAR
from assessment.survey.site_address import BASE_URL_ENV, base_url, served_base_url

#: The app's script (the same one `streamlit run app.py` runs through the checkout's app.py).
APP_SCRIPT = Path(__file__).resolve().parents[1] / "ui" / "app.py"


def server_options(
    port: int, address: str | None, headless: bool, public_url: str
) -> dict[str, Any]:
    """Streamlit settings of a served app, whatever folder `wmm serve` runs in.

    Respondents never see error details or the developer toolbar. No file watcher and no full
    garbage collection after every rerun: with a room of phones each rerun otherwise walks every
    object of every imported library. ``browser.serverAddress`` is the host survey links use, so
    Streamlit prints that address (and does not look up an external one on the internet).
    """
    options: dict[str, Any] = {
        "browser.serverAddress": urlsplit(public_url).hostname or "localhost",
        "server.port": port,
        "server.headless": headless,
        "server.fileWatcherType": "none",
        "server.showEmailPrompt": False,
        "server.runOnSave": False,
        "runner.postScriptGC": False,
        "client.showErrorDetails": "none",
        "client.toolbarMode": "minimal",
        "browser.gatherUsageStats": False,
    }
    if address:
        options["server.address"] = address
    return options


@click.command("serve")
@db_option
@click.option("--port", default=8501, show_default=True, help="The port to serve on.")
@click.option(
    "--address",
    default=None,
    help="The address to listen on (default: every address of this machine).",
)
@click.option(
    "--open-browser/--no-browser",
    default=False,
    help="Open the app in this computer's browser once it is up.",
)
def serve(db_url: str | None, port: int, address: str | None, open_browser: bool) -> None:
    """Start the app: prepare the database, print the survey link and the login, then serve."""
    runtime.configure("server")
    from streamlit.web import bootstrap as streamlit_bootstrap

    from assessment.startup import claim_announcement, prepare
    from assessment.storage import resolve_url
    from assessment.ui.session import streamlit_secrets

    url = resolve_url(db_url).render_as_string(hide_password=False)
    os.environ[ENV_VAR] = url  # the app's pages open the same database
    if not os.environ.get(BASE_URL_ENV, "").strip():
        os.environ[BASE_URL_ENV] = served_base_url(port)
    prepared = prepare(url, environ=os.environ, secrets=streamlit_secrets())
    prepared.startup.db.dispose()
    claim_announcement(url)
    click.echo(prepared.announcement)
    click.echo(say("starting_server"))

    options = server_options(port, address, headless=not open_browser, public_url=base_url())
    streamlit_bootstrap.load_config_options(flag_options=options)
    _load_app_libraries()
    streamlit_bootstrap.run(str(APP_SCRIPT), False, [], options)


def _load_app_libraries() -> None:
    """Import every page and its libraries once, as start-up imports (`assessment.runtime`): their
    objects are then out of the garbage collector's sight, since every later collection would walk
    them again for nothing.

    The app imports its pages lazily (a process serving only respondents never needs pandas);
    `wmm serve` loads them all up front so the facilitator's first dashboard does not stall the
    room while pandas, scipy and altair load, and so their objects are frozen with the rest.
    """
    import importlib

    with runtime.start_up_imports():
        from assessment.ui.app import PAGE_MODULES

        for name in PAGE_MODULES:
            importlib.import_module(f"assessment.ui.pages.{name}")
