"""A room of phones answering the survey at once: a load driver that speaks Streamlit's websocket
protocol like a browser, against `wmm serve` processes it starts itself.

How a respondent is simulated
-----------------------------
Each respondent does what the browser does for a person holding a phone:

1. ``GET /?c=CODE`` (the page), ``/_stcore/health`` and ``/_stcore/host-config``; with ``--assets``
   also the JavaScript and CSS files the page links to.
2. Opens the websocket ``/_stcore/stream`` (subprotocol ``streamlit``) and sends a ``BackMsg`` with
   ``rerun_script``: a ``ClientState`` holding the query string (``c=CODE``), the page's script
   hash and the ``WidgetStates`` (empty at first).
3. Reads ``ForwardMsg`` frames: ``new_session`` starts a run (and names the page's script hash),
   ``delta.new_element`` carries the elements (buttons, radios, selectboxes with their widget ids,
   ``$$ID-<hash>-<key>``, and their options), ``page_info_changed`` the new query string (with the
   resume token ``r=``), ``script_finished`` ends the run.
4. Interacts as a person would, each step one ``rerun_script`` with every widget's current value
   (radios and selectboxes send the chosen option's label as ``string_value``; a clicked button
   ``trigger_value``), timing each from the message sent to the ``script_finished`` that follows:
   ``start`` (welcome), ``next`` of every page (choices inside a form, the profile's unit and
   role, are kept in the browser until Next, as a browser keeps them; a choice outside a form is
   a rerun of its own, timed as ``unit``, ``role`` or ``answer``), and ``submit`` on the review
   page, until the thank-you page. Each statement is an ``st.fragment`` of its own (its answer is
   saved as it is given): its radio's elements carry the fragment's id (``Delta.fragment_id``),
   and a change of it is a ``rerun_script`` whose ``ClientState.fragment_id`` names that fragment,
   with every widget's state as usual; the server reruns only the fragment and ends with
   ``script_finished = FINISHED_FRAGMENT_RUN_SUCCESSFULLY``, its deltas replacing the fragment's
   part of the page (the driver keeps the rest of the page as drawn).

Between two steps the respondent reads and answers: ``--think`` seconds per statement on a
statement page (default 3 s, five times faster than the survey's own estimate of about 15 s per
statement, so the load is on the heavy side), two statements' time on the other pages, each pause
drawn uniformly from 0.5x to 1.5x. ``--think 0.2`` is a stress test (a survey in ~15 s).
Respondents arrive spread uniformly over ``--spread`` seconds. The driver checks afterwards that
every submitted response is stored exactly once (one response row per respondent who
pressed Start), and reports per interaction
p50 / p95 / max, the first page (link opened to welcome drawn), errors (exception elements,
"server busy" notices, time-outs, closed sockets), stored vs submitted, duplicates, the servers'
resident memory per session and the machine's load average.

Scenarios
---------
``--respondents 1|50|100|300|500 --db sqlite|postgres --replicas N``: starts N ``wmm serve``
processes on free ports (one database; respondents are spread over them, each staying on its
replica as a sticky load balancer would keep it). PostgreSQL: a fresh database is created on
the server of ``WMM_DATABASE_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
and dropped afterwards. ``--url`` drives an already running server instead (``--code`` names the
campaign then). ``WMM_BENCH_PORTS=18500-18599`` keeps the servers on ports of that range.

``--dashboard``: a facilitator's browser keeps the Dashboard open with live mode on during the run
(logged in through the same websocket protocol; the live fragment rerun every ``run_every``
seconds, as the browser asks for it), and its refreshes are reported apart from the respondents'.

``--arrival-costs SESSIONS``: instead of a scenario, the server's CPU time per step of an arrival
(first page, Start, the profile page's Next), each step taken by every session before the next
one; CPU time depends much less than response times on what else runs on the machine.

``--profile FILE`` (``--profile-seconds N``: only the first N seconds, the arrivals) records the
first server with py-spy. Example::

    python benchmarks/bench_survey_load.py --respondents 500 --db sqlite
    python benchmarks/bench_survey_load.py --respondents 500 --db postgres --replicas 2
    python benchmarks/bench_survey_load.py --respondents 100 --dashboard
    python benchmarks/bench_survey_load.py --arrival-costs 200 --db postgres

Results: docs/benchmarks.md ("A room of phones").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # this checkout's wmm, as the servers it starts use
    sys.path.insert(0, str(ROOT))
QUESTIONNAIRE = "work-management@1.0.0"
UNITS = ("Operations", "Sales", "Finance", "People", "Engineering")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BUSY_TEXT = "The server is busy"
#: A run that finished for one of these reasons drew the page, or the part of it a fragment
#: owns (others were cut short, e.g. by a rerun of the whole page that follows).
_DRAWN = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
#: The facilitator's password of the servers the driver starts.
PASSWORD = "bench-password-123"


T = TypeVar("T")


class DriverError(Exception):
    """A respondent could not go on (an exception page, a time-out, a closed socket)."""


# -- one browser session ----------------------------------------------------------------------


@dataclass
class Widget:
    """A widget of the page as drawn: its id, kind, user key, options, form and fragment (the
    ``st.fragment`` that drew it: a change of it reruns that fragment only)."""

    id: str
    kind: str
    key: str
    options: tuple[str, ...] = ()
    form: str = ""
    label: str = ""
    fragment: str = ""


@dataclass
class Page:
    """What one finished run drew: widgets, texts, and whether an exception was shown."""

    widgets: list[Widget] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    exception: str | None = None

    def widget(self, prefix: str) -> Widget | None:
        """The first widget whose key starts with ``prefix``."""
        return next((w for w in self.widgets if w.key.startswith(prefix)), None)

    def items(self) -> list[Widget]:
        return [w for w in self.widgets if w.key.startswith("survey_item_")]


def _user_key(widget_id: str) -> str:
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 else ""


def _page_of(messages: Sequence[ForwardMsg]) -> Page:
    page = Page()
    for msg in messages:
        if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
            continue
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind in ("button", "radio", "selectbox", "checkbox", "text_input"):
            proto = getattr(element, kind)
            options = tuple(proto.options) if kind in ("radio", "selectbox") else ()
            form = getattr(proto, "form_id", "")
            page.widgets.append(
                Widget(
                    proto.id,
                    kind,
                    _user_key(proto.id),
                    options,
                    form,
                    proto.label,
                    msg.delta.fragment_id,
                )
            )
        elif kind in ("markdown", "heading", "alert"):
            page.texts.append(str(getattr(element, kind).body))
        elif kind == "exception":
            page.exception = f"{element.exception.type}: {element.exception.message}"
    return page


class Session:
    """One browser tab on the survey: a websocket, the query string, the page's widget values."""

    def __init__(self, base: str, query: str, timeout: float) -> None:
        self.base = base.rstrip("/")
        self.query = query
        self.timeout = timeout
        self.page_hash = ""
        self.values: dict[str, WidgetState] = {}
        self.page = Page()
        self.page_name = ""
        #: Fragments that rerun by themselves (``st.fragment(run_every=...)``): id -> seconds.
        self.auto_reruns: dict[str, float] = {}
        self._ws: Any = None

    async def open(self) -> Page:
        split = urlsplit(self.base)
        ws_url = f"ws://{split.netloc}{split.path}/_stcore/stream"
        self._ws = await websockets.connect(
            ws_url,
            subprotocols=[websockets.Subprotocol("streamlit")],
            origin=websockets.Origin(f"{split.scheme}://{split.netloc}"),
            max_size=None,
            open_timeout=self.timeout,
            ping_interval=None,
        )
        return await self._rerun([])

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def _rerun(
        self, triggers: list[WidgetState], fragment: str = "", *, auto: bool = False
    ) -> Page:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_script_hash = self.page_hash
        if not self.page_hash and self.page_name:
            state.page_name = self.page_name
        state.fragment_id = fragment  # a widget of a fragment reruns only that fragment
        state.is_auto_rerun = auto
        current = {w.id for w in self.page.widgets}
        state.widget_states.widgets.extend(
            v for k, v in self.values.items() if not current or k in current
        )
        state.widget_states.widgets.extend(triggers)
        await self._ws.send(msg.SerializeToString())
        return await self._until_finished(fragment)

    async def _until_finished(self, fragment: str = "") -> Page:
        messages: list[ForwardMsg] = []
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise DriverError("timeout")
            try:
                data = await asyncio.wait_for(self._ws.recv(), timeout=left)
            except TimeoutError:
                raise DriverError("timeout") from None
            except websockets.ConnectionClosed as closed:
                raise DriverError(f"socket closed ({closed.code})") from None
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                messages = []
                self.page_hash = msg.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                self.page_hash = msg.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "auto_rerun":
                self.auto_reruns[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
            elif kind == "delta":
                messages.append(msg)
            elif kind == "script_finished" and msg.script_finished in _DRAWN:
                drawn = _page_of(messages)
                if msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                    # the fragment redrew its own part; the rest of the page stays as it was
                    kept = [w for w in self.page.widgets if w.fragment != fragment]
                    drawn = Page(kept + drawn.widgets, drawn.texts, drawn.exception)
                self.page = drawn
                return self.page

    def choose(self, widget: Widget, option: str) -> None:
        """Pick ``option`` of a radio or selectbox (sent with the next rerun)."""
        self.values[widget.id] = WidgetState(id=widget.id, string_value=option)

    def type_text(self, widget: Widget, value: str) -> None:
        """Type ``value`` into a text input (sent with the next rerun)."""
        self.values[widget.id] = WidgetState(id=widget.id, string_value=value)

    async def toggle(self, widget: Widget, on: bool) -> Page:
        """Switch a toggle or checkbox outside a form: the browser reruns the page at once."""
        self.values[widget.id] = WidgetState(id=widget.id, bool_value=on)
        return await self._rerun([])

    async def auto_rerun(self, fragment: str) -> Page:
        """What the browser does every ``run_every`` seconds: rerun that fragment alone."""
        return await self._rerun([], fragment, auto=True)

    async def change(self, widget: Widget, option: str) -> Page:
        """Pick ``option`` of a widget outside a form: the browser reruns at once, the page or,
        for a widget in a fragment, only that fragment (the rerun names it)."""
        self.choose(widget, option)
        return await self._rerun([], widget.fragment)

    async def click(self, widget: Widget) -> Page:
        """Click a button (a form's submit button sends the form's values with it)."""
        return await self._rerun([WidgetState(id=widget.id, trigger_value=True)])


# -- one respondent ----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one respondent saw: the time of each interaction, the error that stopped them."""

    timings: list[tuple[str, float]] = field(default_factory=list)
    first_page: float | None = None
    error: str | None = None
    busy_notices: int = 0
    submitted: bool = False
    token: str | None = None


def _http_get(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return bytes(response.read())


async def _load_page(base: str, query: str, timeout: float, assets: bool) -> None:
    """What the browser fetches before the websocket: the page, health, host config (assets)."""
    html = await asyncio.to_thread(_http_get, f"{base}/?{query}", timeout)
    await asyncio.to_thread(_http_get, f"{base}/_stcore/health", timeout)
    await asyncio.to_thread(_http_get, f"{base}/_stcore/host-config", timeout)
    if assets:
        for path in re.findall(rb'(?:src|href)="\.?/?(static/[^"]+)"', html):
            await asyncio.to_thread(_http_get, f"{base}/{path.decode()}", timeout)


async def respondent(
    base: str,
    code: str,
    *,
    seed: int,
    delay: float,
    think: float,
    timeout: float,
    assets: bool = False,
) -> Outcome:
    """Answer the survey of ``code`` once, as a person on a phone would (see the module doc)."""
    rng = random.Random(seed)
    outcome = Outcome()
    await asyncio.sleep(delay)
    query = urlencode({"c": code})
    session = Session(base, query, timeout)

    async def pause(statements: int = 2) -> None:
        """A person reading: ``think`` seconds per statement (a short page counts as two)."""
        if think > 0:
            await asyncio.sleep(think * statements * rng.uniform(0.5, 1.5))

    async def timed(name: str, action: Any) -> Page:
        started = time.monotonic()
        page: Page = await action
        outcome.timings.append((name, time.monotonic() - started))
        if page.exception:
            raise DriverError(f"exception page: {page.exception}")
        if any(BUSY_TEXT in t for t in page.texts):
            outcome.busy_notices += 1
        return page

    def needed(page: Page, prefix: str) -> Widget:
        widget = page.widget(prefix)
        if widget is None:
            shown = ", ".join(w.key for w in page.widgets) or "no widgets"
            raise DriverError(f"no {prefix!r} on the page ({shown})")
        return widget

    try:
        started = time.monotonic()
        await _load_page(base, query, timeout, assets)
        page = await session.open()
        outcome.first_page = time.monotonic() - started
        if page.exception:
            raise DriverError(f"exception page: {page.exception}")
        await pause()
        page = await timed("start", session.click(needed(page, "survey_start")))
        unit = needed(page, "survey_w_unit")
        await pause()
        if unit.form:  # in a form: kept in the browser until Next
            session.choose(unit, rng.choice(unit.options))
        else:
            page = await timed("unit", session.change(unit, rng.choice(unit.options)))
        role = page.widget("survey_w_role")
        if role is not None and role.form:
            session.choose(role, rng.choice(role.options))
        elif role is not None:
            await pause()
            page = await timed("role", session.change(role, rng.choice(role.options)))
        await pause()
        page = await timed("next", session.click(needed(page, "survey_next_")))
        for _ in range(100):  # the statement pages, then the review
            if page.widget("survey_submit") is not None:
                break
            items = page.items()
            if not items:
                raise DriverError(
                    f"neither statements nor review ({[w.key for w in page.widgets]})"
                )
            for item in items:
                option = rng.choice(item.options[:5] if rng.random() < 0.9 else item.options)
                if item.form:
                    session.choose(item, option)
                else:
                    await pause(1)
                    page = await timed("answer", session.change(item, option))
            if items[0].form:
                await pause(len(items))  # reading and answering the page's statements
            else:
                await pause(1)
            page = await timed("next", session.click(needed(page, "survey_next_")))
        await pause()
        page = await timed("submit", session.click(needed(page, "survey_submit")))
        if page.widget("survey_submit") is not None:
            raise DriverError("still on the review page after submitting")
        outcome.submitted = True
        tokens = parse_qs(session.query).get("r")
        outcome.token = tokens[0] if tokens else None
    except DriverError as error:
        outcome.error = str(error)
    except (OSError, websockets.WebSocketException) as error:
        outcome.error = f"{type(error).__name__}: {error}"
    finally:
        with suppress(OSError, websockets.WebSocketException):
            await session.close()
    return outcome


# -- the facilitator's live dashboard ----------------------------------------------------------


async def facilitator(
    base: str, code: str, *, until: asyncio.Event, timeout: float, password: str = PASSWORD
) -> Outcome:
    """A facilitator's browser on the Dashboard with live mode on, as in a workshop: log in, choose
    the campaign, switch live mode on, then rerun the live fragment whenever it asks to be
    (``run_every``, as the browser does) until ``until`` is set. Timed: ``login``, ``live on`` (the
    first live page) and every ``refresh`` (the fragment's run, from the message sent to the
    fragment drawn)."""
    outcome = Outcome()
    session = Session(base, urlencode({"campaign": code}), timeout)
    session.page_name = "dashboard"

    async def timed(name: str, action: Any) -> Page:
        started = time.monotonic()
        page: Page = await action
        outcome.timings.append((name, time.monotonic() - started))
        if page.exception:
            raise DriverError(f"exception page: {page.exception}")
        return page

    def needed(page: Page, key: str) -> Widget:
        widget = page.widget(key)
        if widget is None:
            shown = ", ".join(w.key for w in page.widgets) or "no widgets"
            raise DriverError(f"no {key!r} on the dashboard ({shown})")
        return widget

    try:
        started = time.monotonic()
        await _load_page(base, session.query, timeout, assets=False)
        page = await session.open()
        outcome.first_page = time.monotonic() - started
        session.type_text(needed(page, "wmm_login_password"), password)
        submit = next((w for w in page.widgets if w.kind == "button" and w.form), None)
        if submit is None:
            raise DriverError("no login button on the dashboard")
        page = await timed("login", session.click(submit))
        page = await timed("live on", session.toggle(needed(page, "wmm_live"), True))
        if not session.auto_reruns:
            raise DriverError("live mode drew no fragment that reruns by itself")
        fragment, interval = next(iter(session.auto_reruns.items()))
        while True:  # the last look comes after the last respondent is done
            with suppress(TimeoutError):
                await asyncio.wait_for(until.wait(), timeout=interval)
            page = await timed("refresh", session.auto_rerun(fragment))
            if until.is_set():
                break
    except DriverError as error:
        outcome.error = str(error)
    except (OSError, websockets.WebSocketException) as error:
        outcome.error = f"{type(error).__name__}: {error}"
    finally:
        with suppress(OSError, websockets.WebSocketException):
            await session.close()
    return outcome


# -- servers and databases ---------------------------------------------------------------------


#: ``WMM_BENCH_PORTS=18500-18599``: start servers on free ports of this range only (on a machine
#: shared with other jobs that own other ports); unset, the system picks free ports.
PORTS_ENV = "WMM_BENCH_PORTS"
_taken: set[int] = set()


def free_port() -> int:
    """A free TCP port on 127.0.0.1: from the range in ``WMM_BENCH_PORTS`` if set."""
    span = os.environ.get(PORTS_ENV, "").strip()
    if not span:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])
    low, _, high = span.partition("-")
    for port in range(int(low), int(high or low) + 1):
        if port in _taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _taken.add(port)
        return port
    raise RuntimeError(f"no free port in {PORTS_ENV}={span}")


def _environment(url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WMM_")}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        WMM_DATABASE_URL=url,
        WMM_ADMIN_PASSWORD=PASSWORD,
        WMM_DEMO="0",
        **(extra or {}),
    )
    return env


def wait_healthy(port: int, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    """Wait until the server on ``port`` answers its health check (or fail when it exited)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"wmm serve on port {port} exited with {process.returncode}")
        try:
            if _http_get(f"http://127.0.0.1:{port}/_stcore/health", 2) == b"ok":
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"wmm serve on port {port} did not answer within {seconds:.0f} s")


@contextmanager
def servers(
    url: str, replicas: int, log_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[list[tuple[int, subprocess.Popen[bytes]]]]:
    """``replicas`` `wmm serve` processes on free ports, all on the database ``url``."""
    started: list[tuple[int, subprocess.Popen[bytes]]] = []
    try:
        for n in range(replicas):
            port = free_port()
            log = (log_dir / f"serve-{n}.log").open("wb")
            process = subprocess.Popen(
                [sys.executable, "-m", "assessment", "serve", "--port", str(port)],
                cwd=log_dir,
                env=_environment(url, extra_env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            started.append((port, process))
        for n, (port, process) in enumerate(started):
            try:
                wait_healthy(port, process)
            except RuntimeError as error:
                log_text = (log_dir / f"serve-{n}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{error}\n{log_text}") from None
        yield started
    finally:
        for _, process in started:
            process.send_signal(signal.SIGINT)
        for _, process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def fresh_database(kind: str, folder: Path, postgres_url: str | None = None) -> Iterator[str]:
    """A new, migrated database: a SQLite file in ``folder`` or a PostgreSQL database (dropped
    afterwards) on the server of ``postgres_url`` (default ``WMM_DATABASE_URL``)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from assessment.storage import connect, upgrade

    if kind == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite'}"
        db = connect(url, create=True)
        upgrade(db)
        db.dispose()
        yield url
        return
    admin = make_url(postgres_url or os.environ.get("WMM_DATABASE_URL") or DEFAULT_POSTGRES)
    if admin.get_backend_name() != "postgresql":
        admin = make_url(DEFAULT_POSTGRES)
    admin = admin.set(drivername="postgresql+psycopg")
    name = f"wmm_bench_{secrets.token_hex(4)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        db = connect(url)
        upgrade(db)
        db.dispose()
        yield url
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def create_bench_campaign(url: str) -> str:
    """An open campaign with a few units (no minimum head-counts); its survey code."""
    from assessment.campaigns.management import UnitSpec, create_campaign
    from assessment.storage import connect

    db = connect(url)
    try:
        return create_campaign(
            db,
            name=f"Load test {time.strftime('%H:%M:%S')}",
            questionnaire=QUESTIONNAIRE,
            organisation="Benchmark Ltd",
            units=[UnitSpec(u) for u in UNITS],
        ).code
    finally:
        db.dispose()


@dataclass(frozen=True)
class Stored:
    """What the database holds for the campaign after the run (warm-up respondents left out)."""

    submitted: int
    drafts: int
    duplicates: int


def stored_responses(url: str, code: str, *, started: int, warm_up: int = 0) -> Stored:
    """Submitted and draft responses of ``code``. Every respondent who pressed Start owns one
    response row (the resume token cannot tell them apart after submitting: it is cleared), so
    rows beyond ``started`` are duplicates."""
    from sqlalchemy import select

    from assessment.storage import connect
    from assessment.storage.models import Campaign, Response

    db = connect(url)
    try:
        with db.read() as session:
            campaign_id = session.scalar(select(Campaign.id).where(Campaign.code == code))
            statuses = session.scalars(
                select(Response.status).where(Response.campaign_id == campaign_id)
            ).all()
    finally:
        db.dispose()
    submitted = sum(1 for s in statuses if s == "submitted") - warm_up
    return Stored(
        submitted=submitted,
        drafts=len(statuses) - submitted - warm_up,
        duplicates=max(0, len(statuses) - warm_up - started),
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time process ``pid`` has used (0 when it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    """Resident memory of process ``pid`` in kB (0 when it cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# -- a run -------------------------------------------------------------------------------------


@dataclass
class Report:
    """The figures of one scenario."""

    scenario: str
    respondents: int
    outcomes: list[Outcome]
    stored: Stored | None
    rss_before_kb: int
    rss_after_kb: int
    load: tuple[float, float, float]
    wall: float
    server_cpu: float = 0.0
    driver_cpu: float = 0.0
    #: The facilitator's live dashboard during the run (``--dashboard``), else None.
    dashboard: Outcome | None = None

    @property
    def submitted(self) -> int:
        return sum(o.submitted for o in self.outcomes)

    @property
    def errors(self) -> Counter[str]:
        return Counter(re.sub(r"\d+", "N", o.error) for o in self.outcomes if o.error)

    def timings(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for outcome in self.outcomes:
            for name, seconds in outcome.timings:
                out.setdefault(name, []).append(seconds)
        firsts = [o.first_page for o in self.outcomes if o.first_page is not None]
        return {"first page": firsts, **out}

    def as_dict(self) -> dict[str, Any]:
        every = [s for o in self.outcomes for name, s in o.timings]
        return {
            "scenario": self.scenario,
            "respondents": self.respondents,
            "interactions": summary(every),
            **{name: summary(values) for name, values in self.timings().items()},
            "submitted": self.submitted,
            "stored": None if self.stored is None else self.stored.submitted,
            "duplicates": None if self.stored is None else self.stored.duplicates,
            "errors": dict(self.errors),
            "busy_notices": sum(o.busy_notices for o in self.outcomes),
            "rss_per_session_kb": (self.rss_after_kb - self.rss_before_kb)
            / max(self.respondents, 1),
            "load": self.load,
            "wall_s": self.wall,
            "server_cpu_s": self.server_cpu,
            "driver_cpu_s": self.driver_cpu,
            "server_cpu_ms_per_interaction": 1000 * self.server_cpu / max(len(every), 1),
            **self._dashboard_figures(),
        }

    def dashboard_timings(self) -> dict[str, list[float]]:
        """The facilitator's timings by step (``login``, ``live on``, ``refresh``)."""
        out: dict[str, list[float]] = {}
        for name, seconds in self.dashboard.timings if self.dashboard else ():
            out.setdefault(name, []).append(seconds)
        return out

    def _dashboard_figures(self) -> dict[str, Any]:
        if self.dashboard is None:
            return {}
        return {
            "dashboard": {name: summary(v) for name, v in self.dashboard_timings().items()},
            "dashboard_error": self.dashboard.error,
        }


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, linear between order statistics."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: Sequence[float]) -> dict[str, float | int]:
    return {
        "n": len(values),
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "max": max(values) if values else float("nan"),
    }


def print_report(report: Report) -> None:
    figures = report.as_dict()
    print(f"\n== {report.scenario}: {report.respondents} respondents ==")
    print(f"{'interaction':<14}{'n':>7}{'p50 s':>9}{'p95 s':>9}{'max s':>9}")
    for name in ("interactions", *report.timings()):
        row = figures[name]
        print(f"{name:<14}{row['n']:>7}{row['p50']:>9.3f}{row['p95']:>9.3f}{row['max']:>9.3f}")
    stored = report.stored
    print(
        f"submitted {report.submitted}, stored "
        f"{'?' if stored is None else stored.submitted}, duplicates "
        f"{'?' if stored is None else stored.duplicates}, drafts left "
        f"{'?' if stored is None else stored.drafts}"
    )
    print(f"errors: {dict(report.errors) or 'none'}; busy notices: {figures['busy_notices']}")
    print(
        f"server RSS {report.rss_before_kb / 1024:.0f} -> {report.rss_after_kb / 1024:.0f} MB "
        f"({figures['rss_per_session_kb']:.0f} kB per session); load average "
        f"{report.load[0]:.2f} {report.load[1]:.2f} {report.load[2]:.2f}; wall {report.wall:.1f} s"
    )
    if report.dashboard is not None:
        print("facilitator's live dashboard (on the first server):")
        for name, values in report.dashboard_timings().items():
            row = summary(values)
            print(
                f"  {name:<12}{row['n']:>7}{row['p50']:>9.3f}{row['p95']:>9.3f}{row['max']:>9.3f}"
            )
        print(f"  error: {report.dashboard.error or 'none'}")
    print(
        f"CPU: servers {report.server_cpu:.1f} s "
        f"({figures['server_cpu_ms_per_interaction']:.1f} ms per interaction), "
        f"driver {report.driver_cpu:.1f} s"
    )


async def drive(
    bases: Sequence[str],
    code: str,
    respondents: int,
    *,
    spread: float,
    think: float,
    timeout: float,
    seed: int,
    assets: bool,
    dashboard: list[Outcome] | None = None,
) -> list[Outcome]:
    """Run ``respondents`` respondents, arriving over ``spread`` seconds, round-robin on ``bases``.

    ``dashboard``: also run a facilitator with the live dashboard on the first server, from before
    the first arrival until the last respondent is done; its `Outcome` is appended to this list.
    """
    rng = random.Random(seed)
    tasks = [
        respondent(
            bases[n % len(bases)],
            code,
            seed=seed * 100_003 + n,
            delay=rng.uniform(0, spread),
            think=think,
            timeout=timeout,
            assets=assets,
        )
        for n in range(respondents)
    ]
    if dashboard is None:
        return list(await asyncio.gather(*tasks))
    done = asyncio.Event()
    watching = asyncio.create_task(facilitator(bases[0], code, until=done, timeout=timeout))
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        done.set()
        dashboard.append(await watching)


def run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine ``factory()`` makes to its end, in a thread of its own when this thread
    already runs an event loop (Playwright's sync API in the same test session does)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def run_scenario(
    *,
    respondents: int,
    db: str,
    replicas: int,
    spread: float = 10.0,
    think: float = 3.0,
    timeout: float = 120.0,
    seed: int = 1,
    assets: bool = False,
    extra_env: dict[str, str] | None = None,
    postgres_url: str | None = None,
    profile: Path | None = None,
    profile_seconds: float | None = None,
    dashboard: bool = False,
) -> Report:
    """Start the servers on a fresh database, drive the respondents, count what was stored.

    ``profile``: record the first server with py-spy during the run (collapsed stacks, GIL
    holders only) into this file; py-spy must be installed (`pip install py-spy`).
    ``profile_seconds``: record only the first this many seconds (the arrivals).
    ``dashboard``: a facilitator keeps the live dashboard open meanwhile (`facilitator`).
    """
    with (
        tempfile.TemporaryDirectory(prefix="wmm-load-") as folder,
        fresh_database(db, Path(folder), postgres_url) as url,
    ):
        code = create_bench_campaign(url)
        with servers(url, replicas, Path(folder), extra_env) as started:
            bases = [f"http://127.0.0.1:{port}" for port, _ in started]
            pids = [p.pid for _, p in started]
            # one warm-up respondent per server: imports, caches, the questionnaire
            run_async(
                lambda: drive(
                    bases,
                    code,
                    len(bases),
                    spread=0,
                    think=0,
                    timeout=timeout,
                    seed=seed + 7,
                    assets=False,
                )
            )
            before = sum(rss_kb(pid) for pid in pids)
            cpu_before = sum(cpu_seconds(pid) for pid in pids)
            spy = None
            if profile is not None:
                spy = subprocess.Popen(
                    [
                        "py-spy",
                        "record",
                        "--gil",
                        "--nonblocking",
                        "--format",
                        "raw",
                        "--rate",
                        "50" if profile_seconds is None else "200",
                        *(["--duration", f"{profile_seconds:.0f}"] if profile_seconds else []),
                        "-o",
                        str(profile),
                        "-p",
                        str(pids[0]),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            driver_before = time.process_time()
            began = time.monotonic()
            watched: list[Outcome] | None = [] if dashboard else None
            outcomes = run_async(
                lambda: drive(
                    bases,
                    code,
                    respondents,
                    spread=spread,
                    think=think,
                    timeout=timeout,
                    seed=seed,
                    assets=assets,
                    dashboard=watched,
                )
            )
            wall = time.monotonic() - began
            driver_cpu = time.process_time() - driver_before
            server_cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
            after = sum(rss_kb(pid) for pid in pids)
            load = os.getloadavg()
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=60)
        started_count = sum(any(n == "start" for n, _ in o.timings) for o in outcomes)
        stored = stored_responses(url, code, started=started_count, warm_up=len(bases))
    scenario = f"{db}, {replicas} process{'es' if replicas > 1 else ''}"
    return Report(
        scenario,
        respondents,
        outcomes,
        stored,
        before,
        after,
        load,
        wall,
        server_cpu,
        driver_cpu,
        dashboard=watched[0] if watched else None,
    )


# -- what an arrival costs the server ----------------------------------------------------------

#: The steps of an arrival `arrival_costs` measures, in order.
ARRIVAL_STEPS = ("first page", "start", "profile next")


async def _arrival_steps(
    base: str, code: str, sessions: int, pid: int, concurrency: int, timeout: float
) -> dict[str, tuple[float, float]]:
    rng = random.Random(5)
    query = urlencode({"c": code})
    tabs = [Session(base, query, timeout) for _ in range(sessions)]
    gate = asyncio.Semaphore(concurrency)

    async def first_page(tab: Session) -> None:
        await _load_page(base, query, timeout, assets=False)
        await tab.open()

    async def start(tab: Session) -> None:
        button = tab.page.widget("survey_start")
        if button is None:
            raise DriverError("no Start button on the welcome page")
        await tab.click(button)

    async def profile_next(tab: Session) -> None:
        for key in ("survey_w_unit", "survey_w_role"):
            widget = tab.page.widget(key)
            if widget is not None:
                tab.choose(widget, rng.choice(widget.options))
        button = tab.page.widget("survey_next_")
        if button is None:
            raise DriverError("no Next button on the profile page")
        await tab.click(button)

    async def one(step: Callable[[Session], Coroutine[Any, Any, None]], tab: Session) -> float:
        async with gate:
            began = time.monotonic()
            await step(tab)
            return time.monotonic() - began

    costs: dict[str, tuple[float, float]] = {}
    try:
        for name, step in zip(ARRIVAL_STEPS, (first_page, start, profile_next), strict=True):
            before = cpu_seconds(pid)
            times = await asyncio.gather(*(one(step, tab) for tab in tabs))
            costs[name] = ((cpu_seconds(pid) - before) / sessions, percentile(times, 0.5))
    finally:
        for tab in tabs:
            with suppress(OSError, websockets.WebSocketException):
                await tab.close()
    return costs


def arrival_costs(
    *, sessions: int = 200, db: str = "sqlite", concurrency: int = 25, timeout: float = 120.0
) -> dict[str, tuple[float, float]]:
    """The server's CPU time per step of an arrival, the figure the arrival burst is made of.

    One `wmm serve` on a fresh database; ``sessions`` browser sessions open the survey link (the
    page, health, host config, the websocket's first run), then each presses Start, then each
    chooses unit and role and presses Next, step by step, ``concurrency`` at a time. Returns, per
    step, (server CPU seconds per session, median seconds per step). CPU time varies far less
    than response times with what else the machine runs, so it shows what a change saved.
    """
    with (
        tempfile.TemporaryDirectory(prefix="wmm-arrivals-") as folder,
        fresh_database(db, Path(folder)) as url,
    ):
        code = create_bench_campaign(url)
        with servers(url, 1, Path(folder)) as started:
            port, process = started[0]
            base = f"http://127.0.0.1:{port}"
            warm = run_async(
                lambda: drive(
                    [base], code, 2, spread=0, think=0, timeout=timeout, seed=3, assets=False
                )
            )
            if any(o.error for o in warm):
                raise RuntimeError(f"the warm-up failed: {[o.error for o in warm]}")
            return run_async(
                lambda: _arrival_steps(base, code, sessions, process.pid, concurrency, timeout)
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, nargs="+", default=[1, 50, 100, 300, 500])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--spread", type=float, default=10.0, help="arrival window, seconds")
    parser.add_argument(
        "--think", type=float, default=3.0, help="seconds per statement (reading, answering)"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="per interaction, seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--assets", action="store_true", help="also fetch the page's JS and CSS")
    parser.add_argument("--url", help="drive this running server instead (needs --code)")
    parser.add_argument("--code", help="the survey code on --url")
    parser.add_argument("--json", type=Path, help="append each scenario's figures to this file")
    parser.add_argument(
        "--profile", type=Path, help="py-spy the first server into this file (collapsed stacks)"
    )
    parser.add_argument(
        "--profile-seconds", type=float, help="with --profile: only the first N seconds"
    )
    parser.add_argument(
        "--dashboard",
        action="store_true",
        help="a facilitator keeps the live dashboard open meanwhile (refresh times reported)",
    )
    parser.add_argument(
        "--arrival-costs",
        type=int,
        metavar="SESSIONS",
        help="only measure the server's CPU per first page, Start and profile Next "
        "(SESSIONS sessions, step by step)",
    )
    args = parser.parse_args(argv)
    if args.arrival_costs:
        costs = arrival_costs(sessions=args.arrival_costs, db=args.db, timeout=args.timeout)
        print(
            f"\n== {args.db}, 1 process: what an arrival costs ({args.arrival_costs} sessions) =="
        )
        for name, (cpu, median) in costs.items():
            print(f"{name:<14} server CPU {1000 * cpu:6.2f} ms per session; median {median:.3f} s")
        load = os.getloadavg()
        print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        return 0
    failed = False
    for count in args.respondents:
        if args.url:
            if not args.code:
                parser.error("--url needs --code")
            began = time.monotonic()
            outcomes = run_async(
                lambda count=count: drive(  # type: ignore[misc]
                    [args.url],
                    args.code,
                    count,
                    spread=args.spread,
                    think=args.think,
                    timeout=args.timeout,
                    seed=args.seed,
                    assets=args.assets,
                )
            )
            report = Report(
                args.url, count, outcomes, None, 0, 0, os.getloadavg(), time.monotonic() - began
            )
        else:
            report = run_scenario(
                respondents=count,
                db=args.db,
                replicas=args.replicas,
                spread=args.spread,
                think=args.think,
                timeout=args.timeout,
                seed=args.seed,
                assets=args.assets,
                profile=args.profile,
                profile_seconds=args.profile_seconds,
                dashboard=args.dashboard,
            )
        print_report(report)
        if args.json:
            with args.json.open("a", encoding="utf-8") as out:
                out.write(json.dumps(report.as_dict()) + "\n")
        stored = report.stored
        failed |= stored is not None and (
            stored.submitted != report.submitted or stored.duplicates != 0
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
