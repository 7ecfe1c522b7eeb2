"""The database goes away, then comes back: meanwhile pages and the API answer 503 with a
French message (never a 500, a trace or the driver's words), and they work again by themselves
once it is back, in the same app, which keeps the connections it opened before.

PostgreSQL goes away behind a TCP proxy the test runs between the app and the real server:
stopping it cuts every open connection and refuses new ones, as a server restart or a network
cut does. SQLite goes away with the directory that holds its file, as when its volume is
unmounted.
"""

from __future__ import annotations

import shutil
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from live_server import free_port

from rollout.app import create_app

FRENCH_MESSAGE = "La base de données ne répond pas pour le moment : réessayez dans quelques instants."
LEAKS = ("Traceback", "sqlite", "psycopg", "OperationalError", "connection", "unable to open")


@dataclass
class TcpProxy:
    """A loopback port forwarding every connection to `target`, until stopped."""

    target: tuple[str, int]
    port: int = field(default_factory=free_port)
    _listener: socket.socket | None = None
    _open: list[socket.socket] = field(default_factory=list)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        self._spawn(self._accept, listener)

    @property
    def running(self) -> bool:
        return self._listener is not None

    def stop(self) -> None:
        """Refuse new connections, then cut the open ones; returns once every thread has ended."""
        _cut(self._listener)
        self._threads[0].join(timeout=10)  # the accepting thread: no connection is added after it
        for sock in self._open:
            _cut(sock)
        for thread in self._threads:
            thread.join(timeout=10)
        self._listener, self._open, self._threads = None, [], []

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._open += [client, server]
            self._spawn(self._pump, client, server)
            self._spawn(self._pump, server, client)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _cut(source)
            _cut(sink)


def _cut(sock: socket.socket) -> None:
    """Close a socket so that both ends see it: a thread blocked on it wakes up."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


@dataclass
class Switch:
    """The database as the app reaches it (`url`), and how to take it away and bring it back."""

    url: str
    off: Callable[[], None]
    on: Callable[[], None]


@contextmanager
def database_switch(engine: sa.Engine, tmp_path: Path) -> Iterator[Switch]:
    """PostgreSQL behind a proxy; SQLite copied into a directory that can be moved away."""
    if engine.dialect.name == "postgresql":
        proxy = TcpProxy((engine.url.host, engine.url.port or 5432))
        proxy.start()
        try:
            url = engine.url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            yield Switch(url, off=proxy.stop, on=proxy.start)
        finally:
            if proxy.running:
                proxy.stop()
        return
    volume, unmounted = tmp_path / "volume", tmp_path / "unmounted"
    volume.mkdir()
    with sqlite3.connect(engine.url.database) as source, sqlite3.connect(volume / "rollout.sqlite3") as copy:
        source.backup(copy)
    yield Switch(f"sqlite:///{volume / 'rollout.sqlite3'}", off=lambda: volume.rename(unmounted),
                 on=lambda: unmounted.rename(volume))
    shutil.rmtree(volume, ignore_errors=True)


def test_pages_and_api_answer_503_while_the_database_is_away_then_recover_by_themselves(
    engine, world, token, login, tmp_path
) -> None:
    headers = token("project_manager")
    with database_switch(engine, tmp_path) as switch:
        app = create_app({"SECRET_KEY": "outage", "SQLALCHEMY_DATABASE_URL": switch.url}, instance_path=str(tmp_path / "instance"))
        browser, script = app.test_client(), app.test_client()
        login(browser, "project_manager")
        page = f"/programmes/{world.programme_id}/progress"
        api = f"/api/v1/schools?programme={world.programme_id}"
        assert browser.get(page).status_code == 200
        assert script.get(api, headers=headers).status_code == 200

        switch.off()
        refused_page = browser.get(page)
        assert refused_page.status_code == 503
        assert FRENCH_MESSAGE in refused_page.text
        refused_api = script.get(api, headers=headers)
        assert refused_api.status_code == 503
        assert refused_api.get_json() == {"message": refused_api.get_json()["message"], "field": None}
        assert refused_api.get_json()["message"].startswith(FRENCH_MESSAGE)
        for response in (refused_page, refused_api):
            assert not any(leak in response.text for leak in LEAKS), response.text
        assert script.get("/healthz").status_code == 503

        switch.on()
        assert browser.get(page).status_code == 200
        assert script.get(api, headers=headers).status_code == 200
        assert script.get("/healthz").status_code == 200
        app.extensions["rollout.engine"].dispose()
