"""The sample nginx configuration (deploy/nginx/) in front of two endpoint processes on one PostgreSQL.

nginx accepts the file (``nginx -t``), spreads votes over both processes, and
the tallies are exact; with ``--trusted-proxy`` the rate limit keys on the
reader's address, not on nginx's, and a reader cannot spoof it. Readers come
from different loopback addresses (127.0.0.2, 127.0.0.3, …) so nginx sees
them as distinct clients.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers.endpoint import HOST, EndpointProcess, free_port, new_voter_token
from tests.helpers.postgres import PostgresCluster

from .conftest import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "deploy" / "nginx" / "verdict-votes.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
RATE_LIMIT = 5


def configure(directory: Path, port: int, upstreams: list[int]) -> Path:
    """The sample with this test's ports, inside a minimal main configuration of its own."""
    sample = SAMPLE.read_text()
    for placeholder, real in [
        ("server 127.0.0.1:8787 ", f"server {HOST}:{upstreams[0]} "),
        ("server 127.0.0.1:8788 ", f"server {HOST}:{upstreams[1]} "),
        ("listen 80;", f"listen {HOST}:{port};"),
    ]:
        assert placeholder in sample, placeholder
        sample = sample.replace(placeholder, real)
    (directory / "verdict-votes.conf").write_text(sample)
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = directory / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {directory / 'nginx.pid'};\nerror_log {directory / 'error.log'} warn;\n"
        + "events { worker_connections 256; }\n"
        + f"http {{\n{temp}\n    include {directory / 'verdict-votes.conf'};\n}}\n"
    )
    return main


def nginx(config: Path, *args: str) -> list[str]:
    return [NGINX, "-p", str(config.parent), "-c", str(config), "-e", str(config.parent / "error.log"), *args]


@pytest.fixture
def behind_nginx(
    bundles: list[Path], postgres: PostgresCluster, tmp_path: Path
) -> Iterator[tuple[str, list[EndpointProcess]]]:
    database = Store("postgresql", postgres).new_database(tmp_path / "db")
    options = {"rate_limit": RATE_LIMIT, "extra_args": ["--trusted-proxy", HOST]}
    endpoints = [database.launch(bundles, **options) for _ in range(2)]  # type: ignore[arg-type]
    port = free_port()
    config = configure(tmp_path, port, [int(e.base_url.rsplit(":", 1)[1]) for e in endpoints])
    process = None
    try:
        checked = subprocess.run(nginx(config, "-t"), capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr
        assert "test is successful" in checked.stderr
        # nginx writes to error.log (read below on failure); nothing of it holds the test run's output.
        quiet = subprocess.DEVNULL
        process = subprocess.Popen(nginx(config, "-g", "daemon off;"), stdout=quiet, stderr=quiet)
        url = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
            time.sleep(0.05)
        yield url, endpoints
    finally:
        if process is not None:
            process.send_signal(signal.SIGQUIT)
            process.wait(10)
        for endpoint in endpoints:
            endpoint.stop()


def reader(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


def test_two_processes_behind_nginx_count_exactly(behind_nginx: tuple[str, list[EndpointProcess]]) -> None:
    url, endpoints = behind_nginx
    acknowledged = 0
    for n in range(10):  # 10 readers, 4 votes each: under each reader's limit
        with reader(f"127.0.0.{10 + n}") as client:
            for tool in ("alpha", "beta", "alpha", "alpha"):
                body = {"comparison": "three-way", "tool": tool, "voter": new_voter_token()}
                assert client.post(f"{url}/v1/votes", json=body).status_code == 200
                acknowledged += 1
    tallies = httpx.get(f"{url}/v1/tallies/three-way").json()
    assert tallies["tallies"] == {"alpha": 30, "beta": 10, "gamma": 0}
    for endpoint in endpoints:  # both processes took their share
        assert endpoint.log_when(lambda text: text.count('"path": "/v1/votes"') >= 5).count('"path": "/v1/votes"') >= 5


def test_metrics_are_never_forwarded(behind_nginx: tuple[str, list[EndpointProcess]]) -> None:
    url, _ = behind_nginx
    for path in ("/metrics", "/metrics?x=1"):
        answer = httpx.get(f"{url}{path}", timeout=10)
        assert answer.status_code == 404 and "verdict_votes" not in answer.text, answer.text


def test_the_rate_limit_keys_on_the_reader_behind_nginx(behind_nginx: tuple[str, list[EndpointProcess]]) -> None:
    url, _ = behind_nginx

    def vote(client: httpx.Client, spoof: str | None = None) -> int:
        headers = {"X-Forwarded-For": spoof} if spoof else {}
        body = {"comparison": "alpha-vs-beta", "tool": "alpha", "voter": new_voter_token()}
        return client.post(f"{url}/v1/votes", json=body, headers=headers).status_code

    with reader("127.0.0.2") as greedy, reader("127.0.0.3") as other:
        assert [vote(greedy) for _ in range(RATE_LIMIT)] == [200] * RATE_LIMIT
        assert vote(greedy) == 429
        assert vote(greedy, spoof="203.0.113.9") == 429  # a forged header does not make a new reader
        assert vote(other) == 200  # nginx's own address is not what is limited


def test_with_every_endpoint_down_nginx_answers_a_503_the_widget_can_read(
    behind_nginx: tuple[str, list[EndpointProcess]],
) -> None:
    """Not nginx's bare 502: a browser hides an answer without CORS headers, and the widget would take
    it for a refused origin and give up the vote instead of keeping it in the reader's outbox."""
    url, endpoints = behind_nginx
    for endpoint in endpoints:
        endpoint.stop()
    origin = "https://blog.example.com"
    body = {"comparison": "alpha-vs-beta", "tool": "alpha", "voter": new_voter_token()}
    answer = httpx.post(f"{url}/v1/votes", json=body, headers={"Origin": origin}, timeout=10)
    assert answer.status_code == 503
    assert answer.headers["access-control-allow-origin"] == origin
    assert answer.headers["retry-after"] == "10"
    assert "no vote endpoint is answering" in answer.json()["error"]
    probe = httpx.get(f"{url}/healthz", headers={"Origin": origin}, timeout=10)
    assert (probe.status_code, probe.headers["access-control-allow-origin"]) == (503, origin)
    # A vote is JSON, so the browser asks first: that preflight must pass for the 503 to be read.
    preflight = httpx.options(
        f"{url}/v1/votes",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,verdict-retry",
        },
        timeout=10,
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "verdict-retry" in preflight.headers["access-control-allow-headers"]
