"""Fixtures for the vote endpoint tests: two small bundles, and every test on each store.

The same tests run on SQLite and on a real PostgreSQL (a throwaway cluster
started once per session): the ``store`` fixture is parametrised, and
``server`` (one endpoint for the module) and ``database`` (a fresh database
for one test) follow it.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.bundles import bundle_dict, write_bundle
from tests.helpers.endpoint import EndpointProcess, free_port, launch_endpoint
from tests.helpers.postgres import PostgresCluster

ALLOWED_ORIGIN = "https://blog.example"
WIDGET_URL = "https://widget.example/verdict/"  # where dist/ is served, for oEmbed
OEMBED_ENDPOINT = "https://votes.example"  # the vote endpoint a pasted frame link may name
STORES = ["sqlite", "postgresql"]
ADMIN_KEY = "vk_the-admin-key-of-the-module-server-0000"  # opens the results page and the exports
ADMIN_KEY_HASH = "sha256:" + hashlib.sha256(ADMIN_KEY.encode()).hexdigest()
POSTGRES_SECRET = "a-shared-secret-for-every-process"

# Tests that check absolute tallies each use a comparison of their own.
MAIN_COMPARISONS = {
    "alpha-vs-beta": ["alpha", "beta"],
    "beta-vs-gamma": ["beta", "gamma"],
    "gamma-vs-delta": ["gamma", "delta"],
    "three-way": ["alpha", "beta", "gamma"],
    "alpha-vs-delta": ["alpha", "delta"],
    "crowd": ["beta", "delta"],
}
# A second bundle: one comparison of its own, one shared (same tools) with the first.
SECOND_COMPARISONS = {
    "second-site": ["beta", "delta"],
    "alpha-vs-beta": ["alpha", "beta"],
}

_names = itertools.count(1)


@dataclass
class Database:
    """One empty database of the store under test, and how to start endpoints on it."""

    kind: str
    url: str
    directory: Path
    """Where the endpoints' logs go (and, for SQLite, the file and its secret.key)."""
    env: Mapping[str, str] = field(default_factory=dict)
    cluster: PostgresCluster | None = None

    @property
    def path(self) -> Path:
        return self.directory / "votes.db"

    def launch(self, bundles: Sequence[Path], allow_origins: Sequence[str] = (), **options: Any) -> EndpointProcess:
        """A healthy endpoint on this database; the caller stops it (``launch_endpoint``'s options)."""
        env = {**self.env, **options.pop("env", {})}
        return launch_endpoint(bundles, self.path, allow_origins, database_url=self.url, env=env, **options)

    @contextmanager
    def serve(self, bundles: Sequence[Path], allow_origins: Sequence[str] = (), **options: Any) -> Iterator[str]:
        endpoint = self.launch(bundles, allow_origins, **options)
        try:
            yield endpoint.base_url
        finally:
            endpoint.stop()

    def stored_files(self) -> list[Path]:
        """Every file the store writes: the SQLite file and its WAL, or the whole cluster's data folder."""
        if self.cluster is not None:
            return list(self.cluster.files())
        return [p for p in self.directory.iterdir() if p.name.startswith(self.path.name)]


@dataclass
class Store:
    kind: str
    cluster: PostgresCluster | None = None

    def new_database(self, directory: Path) -> Database:
        directory.mkdir(parents=True, exist_ok=True)
        if self.cluster is None:
            return Database(self.kind, f"sqlite:///{directory / 'votes.db'}", directory)
        url = self.cluster.create_database(f"votes_{next(_names)}")
        return Database(self.kind, url, directory, {"VERDICT_SECRET": POSTGRES_SECRET}, self.cluster)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="module", params=STORES)
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "postgresql":
        return Store("postgresql", request.getfixturevalue("postgres"))
    return Store("sqlite")


@pytest.fixture
def database(store: Store, tmp_path: Path) -> Database:
    """A fresh, empty database of the store under test."""
    return store.new_database(tmp_path / "data")


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    directory = tmp_path_factory.mktemp("bundles")
    return [
        write_bundle(directory / "main.json", bundle_dict(MAIN_COMPARISONS)),
        write_bundle(directory / "second.json", bundle_dict(SECOND_COMPARISONS, site="Second Blog")),
    ]


@pytest.fixture(scope="module")
def allowed_origin() -> str:
    return ALLOWED_ORIGIN


@pytest.fixture(scope="module")
def server_database(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Database:
    return store.new_database(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="module")
def server(bundles: list[Path], server_database: Database) -> Iterator[EndpointProcess]:
    """One endpoint for the module, with a rate limit high enough not to interfere."""
    extra = ["--widget-url", WIDGET_URL, "--oembed-endpoint", OEMBED_ENDPOINT, "--metrics-port", str(free_port())]
    endpoint = server_database.launch(
        bundles,
        [ALLOWED_ORIGIN],
        rate_limit=10_000,
        extra_args=extra,
        env={"VERDICT_ADMIN_KEY_HASHES": ADMIN_KEY_HASH},
    )
    try:
        yield endpoint
    finally:
        endpoint.stop()


@pytest.fixture
def client(server: EndpointProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10.0) as client:
        yield client
