"""Slow clients do not take the site down (#13, finding 7), and the access log
names routes, not invitation tokens (finding 10).

`make serve` runs gunicorn with deploy/gunicorn.conf.py; production puts nginx
with deploy/nginx.conf in front. Both files are run here as they are. Every
slow connection is bounded in time and count, and only 127.0.0.1 is reached.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from surveyapp.core.access_log import redact

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, what: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    pytest.fail(f"{what} did not start: {process.communicate()[0].decode(errors='replace')}")


@contextmanager
def gunicorn(app, tmp_path: Path, workers: int) -> Iterator[tuple[str, Path]]:
    """gunicorn with `make serve`'s settings file, on the test's database."""
    port = _free_port()
    log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "slow-client-test-" + "k" * 40,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(workers),
        "ACCESS_LOG": str(log),
        "PYTHONWARNINGS": "ignore",
    }
    process = subprocess.Popen(
        [str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "surveyapp:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    _wait_for(base + "/en/", process, "gunicorn")
    try:
        yield base, log
    finally:
        process.terminate()
        output = process.communicate(timeout=15)[0].decode(errors="replace")
        assert "Traceback" not in output, output


@contextmanager
def slow_clients(port: int, count: int, seconds: float) -> Iterator[list[socket.socket]]:
    """``count`` connections that send a header line every half second and never finish."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
            sock.sendall(b"GET /en/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            sockets.append(sock)
        deadline = time.monotonic() + seconds

        def drip() -> None:
            if time.monotonic() < deadline:
                for sock in sockets:
                    try:
                        sock.sendall(b"X-Slow: 1\r\n")
                    except OSError:
                        pass

        yield sockets, drip
    finally:
        for sock in sockets:
            sock.close()


def _answers_quickly(url: str, tries: int, drip) -> list[float]:
    times = []
    for _ in range(tries):
        drip()
        started = time.monotonic()
        with urllib.request.urlopen(url, timeout=5) as got:
            assert got.status == 200
        times.append(time.monotonic() - started)
        time.sleep(0.4)
    return times


def test_slow_clients_do_not_stall_make_serve(app, tmp_path):
    # Fifty slow connections (four stalled `make serve` with sync workers) against one
    # worker: it waits for them all in its event loop and still answers at once.
    with gunicorn(app, tmp_path, workers=1) as (base, _log):
        port = int(base.rsplit(":", 1)[1])
        with slow_clients(port, count=50, seconds=8) as (_sockets, drip):
            time.sleep(0.5)
            times = _answers_quickly(base + "/en/", tries=5, drip=drip)
    assert max(times) < 2.0, times


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (make test installs it as root)")
def test_behind_nginx_a_hundred_slow_clients_never_reach_the_app(app, tmp_path):
    with gunicorn(app, tmp_path, workers=1) as (base, _log):
        app_address = base.removeprefix("http://")
        port = _free_port()
        site = (ROOT / "deploy" / "nginx.conf").read_text()
        site = site.replace("@LISTEN@", f"127.0.0.1:{port}").replace("@APP@", app_address)
        site = site.replace("@STATIC@", str(ROOT / "surveyapp" / "static"))
        for folder in ("logs", "temp"):
            (tmp_path / folder).mkdir()
        # Started as root, nginx's workers would run as "nobody", who may not enter the
        # checkout (a clone in a `mktemp -d` folder is 0700): they read as its owner.
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
        (tmp_path / "nginx.conf").write_text(
            f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\n"
            "daemon off;\nworker_processes 1;\nevents { worker_connections 512; }\n"
            "http {\n"
            f"access_log off;\nclient_body_temp_path {tmp_path}/temp;\n"
            f"proxy_temp_path {tmp_path}/temp;\nfastcgi_temp_path {tmp_path}/temp;\n"
            f"uwsgi_temp_path {tmp_path}/temp;\nscgi_temp_path {tmp_path}/temp;\n"
            f"{site}\n}}\n"
        )
        nginx = subprocess.Popen(
            [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            front = f"http://127.0.0.1:{port}"
            _wait_for(front + "/en/", nginx, "nginx")
            with slow_clients(port, count=100, seconds=8) as (_sockets, drip):
                time.sleep(0.5)
                times = _answers_quickly(front + "/en/", tries=5, drip=drip)
                css = urllib.request.urlopen(front + "/static/app.css", timeout=5)
                assert css.status == 200
                css.close()
        finally:
            nginx.terminate()
            nginx.communicate(timeout=10)
    assert max(times) < 2.0, times


def test_the_access_log_names_the_route_not_the_invitation_token(app, tmp_path, make_invitation):
    token = make_invitation(language="mk")
    with gunicorn(app, tmp_path, workers=1) as (base, log):
        for path in (f"/r/{token}", f"/mk/r/{token}", f"/mk/r/{token}/p/1?x=1"):
            try:
                urllib.request.urlopen(base + path, timeout=5).close()
            except OSError:
                pass
        request = urllib.request.Request(
            base + "/en/", headers={"Referer": f"{base}/mk/r/{token}/review"}
        )
        urllib.request.urlopen(request, timeout=5).close()
        time.sleep(0.5)
    text = log.read_text()
    assert "/mk/r/<token>" in text and "/r/<token>/review" in text
    assert token not in text


def test_redact_keeps_routes_and_drops_tokens():
    assert redact("/mk/r/AbC-123_x/p/2?next=/r/zzz") == "/mk/r/<token>/p/2?next=/r/<token>"
    assert redact("/en/o/openToken") == "/en/o/<token>"
    assert redact("/en/staff/campaigns/3/responses.csv") == "/en/staff/campaigns/3/responses.csv"


def test_an_unexpected_error_is_logged_without_the_link_token(
    app, client, make_invitation, monkeypatch, caplog
):
    from surveyapp.responses import reads

    token = make_invitation(language="bs")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(reads, "find_link", broken)
    with caplog.at_level("ERROR"):
        got = client.get(f"/bs/r/{token}")
    assert got.status_code == 500
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/bs/r/<token>" in logged and token not in logged
