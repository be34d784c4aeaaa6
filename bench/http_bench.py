"""HTTP benchmark of the respondent's path, against a bare Flask app as yardstick.

    .venv/bin/python bench/http_bench.py            # full run (SQLite, + PostgreSQL if set)
    .venv/bin/python bench/http_bench.py --quick    # ~20-second smoke run
    .venv/bin/python bench/http_bench.py --profile  # where the time goes, in-process (cProfile)

For each database (SQLite always; PostgreSQL when TEST_DATABASE_URL is set — the
database is wiped and prepared like tests/conftest.py does), it starts gunicorn
on 127.0.0.1 with surveyapp, then with bench/bare_app.py, and measures:

1. GET of a consented respondent's page 2 (8 questions), N concurrent clients;
2. POST of that page with valid answers (validation, database write, its 303);
3. complete responses per second through the whole path (consent, every page
   saved, review, submit) with N concurrent respondents.

The load comes from ``wrk`` when it is installed (Debian: apt-get install wrk),
from Python threads with http.client keep-alive connections otherwise. Only
loopback traffic; every loop is bounded in time. Prints one table, exits 0
(1 if a request failed, which makes the numbers meaningless).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import bare_app  # noqa: E402  (needs the paths above)
import common  # noqa: E402
from common import HOST, Browser, Server, csrf_token  # noqa: E402

PAGE = 2  #: the page measured in 1 and 2
GET_TARGET, POST_TARGET = 0.6, 0.5


# --- load generators ---------------------------------------------------------------


@dataclass
class Client:
    """What one client sends over and over: one request, its bodies alternating."""

    method: str
    path: str
    cookie: str
    bodies: list[str] = field(default_factory=list)

    def headers(self) -> dict[str, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if self.bodies:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return headers


@dataclass
class Load:
    requests: int
    seconds: float
    p50_ms: float | None
    p99_ms: float | None
    bad: int  #: non-2xx/3xx replies and socket errors
    client_cpu: float  #: CPU seconds the load generator used
    server_cpu: float = 0.0  #: CPU seconds of the gunicorn workers
    db_cpu: float = 0.0  #: CPU seconds of PostgreSQL's processes
    other_cpu: float = 0.0  #: CPU seconds used meanwhile by processes outside the benchmark

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _lua_string(text: str) -> str:
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


WRK_SCRIPT = """
local clients = {
%s
}
local created = 0
function setup(thread)
  created = created + 1
  thread:set("client_id", created)
end
function init(args)
  local c = clients[client_id]
  requests = {}
  if #c.bodies == 0 then
    requests[1] = wrk.format(c.method, c.path, c.headers, nil)
  else
    for i, body in ipairs(c.bodies) do
      requests[i] = wrk.format(c.method, c.path, c.headers, body)
    end
  end
  sent = 0
end
function request()
  sent = sent + 1
  return requests[(sent - 1) %% #requests + 1]
end
"""


def _wrk_script(clients: list[Client]) -> str:
    entries = []
    for c in clients:
        headers = ", ".join(
            f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in c.headers().items()
        )
        bodies = ", ".join(_lua_string(b) for b in c.bodies)
        entries.append(
            f"  {{method = {_lua_string(c.method)}, path = {_lua_string(c.path)}, "
            f"headers = {{{headers}}}, bodies = {{{bodies}}}}},"
        )
    return WRK_SCRIPT % "\n".join(entries)


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(port: int, clients: list[Client], seconds: int) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_wrk_script(clients))
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        n = str(len(clients))
        threads = ["-t", n, "-c", n, "-d", f"{seconds}s", "--latency", "--timeout", "30s"]
        done = subprocess.run(
            ["wrk", *threads, "-s", script.name, f"http://{HOST}:{port}/"],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
        out = done.stdout
        if script.name in done.stdout + done.stderr:
            raise RuntimeError(f"wrk could not run its script:\n{done.stdout}{done.stderr}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        os.unlink(script.name)
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    p50 = p99 = None
    if percentiles:
        p50 = _ms(*re.match(r"([\d.]+)(\w+)", percentiles["50"]).groups())
        p99 = _ms(*re.match(r"([\d.]+)(\w+)", percentiles["99"]).groups())
    bad = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        # "read" errors are connections the server closed, as gunicorn's sync worker does.
        bad += int(errors.group(1)) + int(errors.group(3)) + int(errors.group(4))
    return Load(
        requests=int(total.group(1)),
        seconds=_ms(total.group(2), total.group(3)) / 1000,
        p50_ms=p50,
        p99_ms=p99,
        bad=bad,
        client_cpu=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    )


def run_python(port: int, clients: list[Client], seconds: float) -> Load:
    """Threads with http.client keep-alive connections (reopened when the server closes)."""
    import http.client

    latencies: list[list[float]] = [[] for _ in clients]
    statuses: list[Counter] = [Counter() for _ in clients]
    barrier = threading.Barrier(len(clients) + 1)
    stop = [0.0]

    def work(i: int, c: Client) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        headers = c.headers()
        barrier.wait()
        sent = 0
        while time.perf_counter() < stop[0]:
            body = c.bodies[sent % len(c.bodies)] if c.bodies else None
            sent += 1
            started = time.perf_counter()
            try:
                conn.request(c.method, c.path, body=body, headers=headers)
                reply = conn.getresponse()
                reply.read()
                status = reply.status
                if reply.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            latencies[i].append(time.perf_counter() - started)
            statuses[i][status] += 1
        conn.close()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    cpu = time.process_time()
    stop[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    flat = sorted(x for lat in latencies for x in lat)
    total = Counter()
    for s in statuses:
        total.update(s)
    return Load(
        requests=len(flat),
        seconds=elapsed,
        p50_ms=flat[len(flat) // 2] * 1000 if flat else None,
        p99_ms=flat[min(len(flat) - 1, int(len(flat) * 0.99))] * 1000 if flat else None,
        bad=sum(n for status, n in total.items() if not 200 <= status < 400),
        client_cpu=cpu,
    )


# --- CPU of the server's processes --------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _ticks(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[11]) + int(fields[12]) if fields else None  # utime + stime


class Probe:
    """CPU seconds spent by a set of processes (listed anew at both ends) in a window."""

    def __init__(self, list_pids) -> None:
        self.list_pids = list_pids
        self.begin: dict[int, int] = {}

    def _snapshot(self) -> dict[int, int]:
        ticks = {pid: _ticks(pid) for pid in self.list_pids()}
        return {pid: t for pid, t in ticks.items() if t is not None}

    def start(self) -> None:
        self.begin = self._snapshot()

    def stop(self) -> float:
        end = self._snapshot()
        return sum(t - self.begin.get(pid, 0) for pid, t in end.items()) / TICK


def machine_busy() -> int:
    """CPU ticks the whole machine has spent busy since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields) - fields[3] - fields[4]  # less idle and iowait


def wait_for_quiet(limit: float, threshold: float = 0.15) -> float:
    """Wait (at most ``limit`` seconds) until others use under ``threshold`` of the machine.

    Called between tests, when the benchmark's own servers are idle. Returns the wait.
    """
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        busy = machine_busy()
        time.sleep(1)
        if (machine_busy() - busy) / TICK / (os.cpu_count() or 1) < threshold:
            break
    return time.perf_counter() - started


def _processes(predicate) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and predicate(int(entry.name)):
            pids.append(int(entry.name))
    return pids


def worker_pids(master: int) -> list[int]:
    return _processes(lambda pid: (_stat(pid) or ["", "0"])[1] == str(master))


def backend_pids(database: str) -> list[int]:
    """PostgreSQL's backends serving ``database`` (its background processes are left out)."""

    def serves(pid: int) -> bool:
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
                return False
            return f" {database} " in Path(f"/proc/{pid}/cmdline").read_text()
        except OSError:
            return False

    return _processes(serves)


def probes(server: Server, database: str | None) -> tuple[Probe, Probe]:
    """(gunicorn's workers, the PostgreSQL backends of ``database``)."""
    master = server.process.pid
    return Probe(lambda: worker_pids(master)), Probe(
        lambda: backend_pids(database) if database else []
    )


class Meter:
    """Load runs against one server, with the CPU it (and PostgreSQL) spent on them."""

    def __init__(self, args, server: Server, database: str | None) -> None:
        self.args, self.server = args, server
        self.workers, self.backends = probes(server, database)

    def warm(self, clients: list[Client]) -> None:
        self._load(clients, self.args.warmup)

    def measure(self, clients: list[Client], seconds: float) -> Load:
        self.workers.start()
        self.backends.start()
        busy = machine_busy()
        load = self._load(clients, seconds)
        load.server_cpu = self.workers.stop()
        load.db_cpu = self.backends.stop()
        ours = load.server_cpu + load.db_cpu + load.client_cpu
        load.other_cpu = max(0.0, (machine_busy() - busy) / TICK - ours)
        return load

    def _load(self, clients: list[Client], seconds: float) -> Load:
        if self.args.tool == "wrk":
            return run_wrk(self.server.port, clients, max(1, round(seconds)))
        return run_python(self.server.port, clients, seconds)


def merge(loads: list[Load]) -> Load:
    """Slices of one test as one: p50 averaged by requests, the worst p99."""
    requests = sum(x.requests for x in loads)
    p50s = [(x.p50_ms, x.requests) for x in loads if x.p50_ms is not None]
    return Load(
        requests=requests,
        seconds=sum(x.seconds for x in loads),
        p50_ms=sum(p * n for p, n in p50s) / requests if p50s and requests else None,
        p99_ms=max((x.p99_ms for x in loads if x.p99_ms is not None), default=None),
        bad=sum(x.bad for x in loads),
        client_cpu=sum(x.client_cpu for x in loads),
        server_cpu=sum(x.server_cpu for x in loads),
        db_cpu=sum(x.db_cpu for x in loads),
        other_cpu=sum(x.other_cpu for x in loads),
    )


def compare(args, app: Meter, app_clients, bare: Meter, bare_clients) -> tuple[Load, Load]:
    """Both apps under the same load, in alternating slices (app, bare, app, bare, ...),
    so that whatever else runs on the machine meanwhile weighs on both alike."""
    app.warm(app_clients)
    bare.warm(bare_clients)
    slices = max(1, round(args.seconds / args.slice))
    each = args.seconds / slices
    app_loads, bare_loads = [], []
    for _ in range(slices):
        args.waited += wait_for_quiet(args.wait_quiet)
        app_loads.append(app.measure(app_clients, each))
        bare_loads.append(bare.measure(bare_clients, each))
    return merge(app_loads), merge(bare_loads)


# --- the phases ------------------------------------------------------------------------


def consented(port: int, token: str) -> tuple[Browser, str]:
    """A respondent who has consented; their browser and the questionnaire URL prefix."""
    browser = Browser(port)
    path, html = browser.go("GET", f"/r/{token}")
    form = {"action": "accept", "csrf_token": csrf_token(html)}
    path, _html = browser.go("POST", path + "/consent", form)
    if "/p/1" not in path:
        raise common.HTTPError(f"consent did not lead to page 1 but to {path}")
    return browser, path.rsplit("/p/", 1)[0]


def _body(form: dict, token: str) -> str:
    return urllib.parse.urlencode({**form, "action": "next", "csrf_token": token}, doseq=True)


def app_get_clients(port: int, tokens: list[str]) -> list[Client]:
    clients = []
    for token in tokens:
        browser, prefix = consented(port, token)
        path, html = browser.go("GET", f"{prefix}/p/{PAGE}")
        if html.count('type="radio"') < 2:
            raise common.HTTPError(f"{path} shows no questions")
        clients.append(Client("GET", path, browser.cookie_header()))
        browser.close()
    return clients


def app_post_clients(port: int, tokens: list[str], forms) -> list[Client]:
    clients = []
    for token in tokens:
        browser, prefix = consented(port, token)
        path, html = browser.go("GET", f"{prefix}/p/{PAGE}")
        bodies = [_body(variant[PAGE - 1], csrf_token(html)) for variant in forms]
        # One save by hand first: it must be valid and lead on to the next page.
        status, location, _ = browser.request("POST", path, urllib.parse.parse_qs(bodies[1]))
        if status != 303 or not location.endswith(f"/p/{PAGE + 1}"):
            raise common.HTTPError(f"POST {path}: {status} → {location}, not the next page")
        clients.append(Client("POST", path, browser.cookie_header(), bodies))
        browser.close()
    return clients


def bare_clients(port: int, ids: range, forms, post: bool) -> list[Client]:
    clients = []
    for response_id in ids:
        browser = Browser(port)
        path = f"/page/{response_id}"
        _, html = browser.go("GET", path)
        if not post:
            clients.append(Client("GET", path, browser.cookie_header()))
            continue
        bodies = [_body(variant[PAGE - 1], csrf_token(html)) for variant in forms]
        status, _location, _ = browser.request("POST", path, urllib.parse.parse_qs(bodies[1]))
        if status != 303:
            raise common.HTTPError(f"POST {path} to the bare app: {status}")
        clients.append(Client("POST", path, browser.cookie_header(), bodies))
        browser.close()
    return clients


@dataclass
class FullPath:
    respondents: int
    completed: int  #: within the measured window
    seconds: float
    requests_per_response: float
    errors: list[str]
    client_cpu: float
    server_cpu: float = 0.0
    db_cpu: float = 0.0
    other_cpu: float = 0.0
    finished_total: int = 0

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0


def walk(port: int, token: str, pages: list[dict]) -> int:
    """One respondent from the link to the thanks page; the number of requests."""
    browser = Browser(port)
    try:
        path, html = browser.go("GET", f"/r/{token}")
        prefix = path
        path, html = browser.go(
            "POST", f"{prefix}/consent", {"action": "accept", "csrf_token": csrf_token(html)}
        )
        for number, form in enumerate(pages, start=1):
            expected = f"{prefix}/p/{number}"
            if path != expected:
                raise common.HTTPError(f"expected {expected}, got {path}")
            path, html = browser.go(
                "POST", path, {**form, "action": "next", "csrf_token": csrf_token(html)}
            )
        if path != f"{prefix}/review":
            raise common.HTTPError(f"expected the review page, got {path}")
        path, html = browser.go("POST", f"{prefix}/submit", {"csrf_token": csrf_token(html)})
        if not path.endswith("/thanks"):
            raise common.HTTPError(f"submit led to {path}")
        return browser.requests
    finally:
        browser.close()


def run_full_path(
    server: Server, tokens: list[str], forms, respondents: int, warmup: float, seconds: float,
    database: str | None,
) -> FullPath:  # fmt: skip
    pool = iter(tokens)
    lock = threading.Lock()
    finished: list[tuple[float, int]] = []
    errors: list[str] = []
    start = time.perf_counter()
    window = (start + warmup, start + warmup + seconds)
    ticks: dict[str, float] = {}
    workers, backends = probes(server, database)

    def respondent(n: int) -> None:
        count = 0
        while time.perf_counter() < window[1] and len(errors) < 10:
            with lock:
                token = next(pool, None)
            if token is None:
                errors.append("ran out of invitations")
                return
            try:
                requests = walk(server.port, token, forms[(n + count) % len(forms)])
            except Exception as error:  # noqa: BLE001  (reported in the table)
                errors.append(f"{type(error).__name__}: {error}")
                continue
            count += 1
            with lock:
                finished.append((time.perf_counter(), requests))

    def sample_at_window_edges() -> None:
        time.sleep(max(0.0, window[0] - time.perf_counter()))
        workers.start()
        backends.start()
        ticks["client"], ticks["busy"] = time.process_time(), machine_busy()
        time.sleep(max(0.0, window[1] - time.perf_counter()))
        ticks["server"], ticks["db"] = workers.stop(), backends.stop()
        ticks["client"] = time.process_time() - ticks["client"]
        ticks["busy"] = (machine_busy() - ticks["busy"]) / TICK

    threads = [threading.Thread(target=respondent, args=(n,)) for n in range(respondents)]
    sampler = threading.Thread(target=sample_at_window_edges)
    for t in (*threads, sampler):
        t.start()
    for t in (*threads, sampler):
        t.join(timeout=warmup + seconds + 120)
    inside = [requests for at, requests in finished if window[0] <= at < window[1]]
    result = FullPath(
        respondents=respondents,
        completed=len(inside),
        seconds=seconds,
        requests_per_response=sum(inside) / len(inside) if inside else 0.0,
        errors=errors,
        client_cpu=ticks["client"],
        server_cpu=ticks["server"],
        db_cpu=ticks["db"],
        finished_total=len(finished),
    )
    ours = result.server_cpu + result.db_cpu + result.client_cpu
    result.other_cpu = max(0.0, ticks["busy"] - ours)
    return result


# --- one database ------------------------------------------------------------------------


@dataclass
class Results:
    database: str
    rows: list[list[str]] = field(default_factory=list)
    #: (what, surveyapp's load, the bare app's load, target ratio)
    ratios: list[tuple[str, Load, Load, float]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    full: FullPath | None = None


def _fmt_ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _per_request(cpu: float, requests: float) -> str:
    return f"{1000 * cpu / requests:.2f}" if requests and cpu else "-"


def _share(cpu: float, seconds: float) -> str:
    """CPU seconds as a share of the whole machine over ``seconds``."""
    return f"{100 * cpu / (seconds * (os.cpu_count() or 1)):.0f}%" if seconds else "-"


def load_row(results: Results, test: str, server: str, load: Load, size: int | None) -> None:
    results.rows.append(
        [
            results.database,
            test,
            server,
            f"{load.rate:.0f}",
            _fmt_ms(load.p50_ms),
            _fmt_ms(load.p99_ms),
            _per_request(load.server_cpu, load.requests),
            _per_request(load.db_cpu, load.requests),
            _per_request(load.client_cpu, load.requests),
            f"{size / 1024:.1f}" if size else "-",
            str(load.bad),
            _share(load.other_cpu, load.seconds),
        ]
    )
    if load.bad:
        results.problems.append(f"{results.database} {test} {server}: {load.bad} bad replies")


def _size(server: Server, clients: list[Client]) -> int:
    """Bytes of the page the clients get (the first client's, once more)."""
    browser = Browser(server.port)
    browser.cookies = dict(c.split("=", 1) for c in clients[0].cookie.split("; ") if c)
    status, _location, html = browser.request("GET", clients[0].path)
    browser.close()
    if status != 200:
        raise common.HTTPError(f"GET {clients[0].path}: {status}")
    return len(html.encode())


def bench_database(url: str, args, workdir: Path) -> Results:
    label = common.database_label(url)
    results = Results(label)
    postgres = label == "PostgreSQL"
    database = urllib.parse.urlsplit(url).path.lstrip("/") if postgres else None
    common.prepare_database(url)
    app = common.make_app(url)
    n = args.clients
    pool = int((args.warmup + args.full_seconds) * 60) + n  # more than 2 workers can take
    tokens = common.make_invitations(app, 2 * n + pool, args.lang)
    common.analyze(app)
    forms = common.answer_forms(app, args.lang)
    spec_path = common.dump_json(common.page_spec(app, PAGE, args.lang), workdir / "page.json")
    answers_per_page = len(forms[0][PAGE - 1])
    args.questions = answers_per_page
    server_options = {"workers": args.workers, "worker_class": args.worker_class}

    # The bare app keeps its answers in its own table (file, or the same PostgreSQL database).
    bare_url = url if postgres else str(workdir / "bare.sqlite3")
    bare_app.create_schema(bare_url, 2 * n)
    bare_env = {"BARE_PAGE_JSON": str(spec_path), "BARE_DATABASE_URL": bare_url}
    app_env = {"DATABASE_URL": url}

    with (
        Server("surveyapp:create_app()", app_env, **server_options) as server,
        Server("bare_app:create_app()", bare_env, **server_options) as bare_server,
    ):
        meter, bare_meter = Meter(args, server, database), Meter(args, bare_server, database)

        # 1. GET page 2
        get_clients = app_get_clients(server.port, tokens[:n])
        bare_get_clients = bare_clients(bare_server.port, range(1, n + 1), forms, post=False)
        app_get, bare_get = compare(args, meter, get_clients, bare_meter, bare_get_clients)
        load_row(results, f"GET page {PAGE}", "surveyapp", app_get, _size(server, get_clients))
        load_row(
            results,
            f"GET page {PAGE}",
            "bare Flask",
            bare_get,
            _size(bare_server, bare_get_clients),
        )

        # 2. POST page 2
        post_clients = app_post_clients(server.port, tokens[n : 2 * n], forms)
        ids = range(n + 1, 2 * n + 1)
        bare_post_clients = bare_clients(bare_server.port, ids, forms, post=True)
        app_post, bare_post = compare(args, meter, post_clients, bare_meter, bare_post_clients)
        load_row(results, f"POST page {PAGE} → 303", "surveyapp", app_post, None)
        load_row(results, f"POST page {PAGE} → 303", "bare Flask", bare_post, None)
        stored = common.count_rows(app, "SELECT count(*) FROM answer")
        if stored != n * answers_per_page:
            results.problems.append(
                f"{label}: {stored} answers stored, expected {n * answers_per_page}"
            )

        # 3. the whole path
        args.waited += wait_for_quiet(args.wait_quiet)
        full = run_full_path(
            server, tokens[2 * n :], forms, n, args.warmup, args.full_seconds, database
        )
        submitted = common.count_rows(
            app, "SELECT count(*) FROM response WHERE status = 'submitted'"
        )
        if submitted != full.finished_total:
            results.problems.append(
                f"{label}: {submitted} responses submitted, {full.finished_total} walked"
            )
        results.problems.extend(f"{label} full path: {e}" for e in full.errors[:3])
        for name, gunicorn in (("surveyapp", server), ("the bare app", bare_server)):
            if "Traceback" in gunicorn.output():
                results.problems.append(f"{label}: {name} logged a traceback:\n{gunicorn.output()}")

    results.ratios += [
        (f"{label} GET page {PAGE}", app_get, bare_get, GET_TARGET),
        (f"{label} POST page {PAGE}", app_post, bare_post, POST_TARGET),
    ]
    results.rows.append(
        [
            label,
            f"whole path: {full.rate:.1f} responses/s",
            "surveyapp",
            f"{full.rate * full.requests_per_response:.0f}",
            "-",
            "-",
            _per_request(full.server_cpu, full.completed * full.requests_per_response),
            _per_request(full.db_cpu, full.completed * full.requests_per_response),
            _per_request(full.client_cpu, full.completed * full.requests_per_response),
            "-",
            str(len(full.errors)),
            _share(full.other_cpu, full.seconds),
        ]
    )
    results.full = full
    if postgres:
        with app.app_context():
            from surveyapp.extensions import db

            db.engine.dispose()
    return results


# --- the table ----------------------------------------------------------------------------

HEADER = [
    "database",
    "test",
    "server",
    "req/s",
    "p50 ms",
    "p99 ms",
    "app CPU ms/req",
    "PG CPU ms/req",
    "client CPU ms/req",
    "KiB",
    "errors",
    "others' CPU",
]


def print_table(args, all_results: list[Results], skipped: str | None) -> None:
    info = common.machine()
    print("HTTP benchmark: surveyapp vs a bare Flask app (bench/bare_app.py)")
    print(f"machine:    nproc={info['nproc']}  cpu={info['cpu']}  Python {info['python']}")
    print(
        f"parameters: gunicorn --workers {args.workers} --worker-class {args.worker_class} "
        f"--threads 1 --bind {HOST}:<port>\n"
        f"            {args.clients} concurrent clients; {args.seconds:g}s measured after "
        f"{args.warmup:g}s warm-up per test; whole path: {args.full_seconds:g}s window after "
        f"{args.warmup:g}s\n"
        f"            load: {args.tool} (GET, POST), Python threads + http.client (whole "
        f"path); language {args.lang}; page {PAGE} ({args.questions} questions)"
    )
    if args.worker_class == "sync":
        print(
            "            (clients keep connections alive; gunicorn's sync worker closes each "
            "one, so every request opens a new loopback connection, for both apps)"
        )
    if args.wait_quiet:
        print(
            f"            waited {args.waited:.0f}s in all for a quiet machine "
            f"(--wait-quiet {args.wait_quiet:g} per test)"
        )
    if skipped:
        print(f"            {skipped}")
    print(
        "columns:    CPU ms/req = CPU time of the gunicorn workers / PostgreSQL / the load "
        "generator per request;\n            others' CPU = share of the machine used "
        "meanwhile by processes outside the benchmark (high = disturbed numbers)"
    )
    rows = [HEADER] + [r for res in all_results for r in res.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    right = set(range(3, len(HEADER)))

    def line(row: list[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        )

    print()
    print(line(HEADER))
    print(line(["-" * w for w in widths]))
    for res in all_results:
        for row in res.rows:
            print(line(row))
    print()
    for res in all_results:
        full = res.full
        print(
            f"{res.database + ' whole path':<24}  {full.rate:.2f} complete responses/s with "
            f"{full.respondents} concurrent respondents ({full.completed} finished in the "
            f"{full.seconds:g}s window, {full.requests_per_response:.0f} requests each)"
        )
    for res in all_results:
        for name, app, bare, target in res.ratios:
            ratio = app.rate / bare.rate if bare.rate else 0.0
            verdict = "meets" if ratio >= target else "BELOW"
            cost = (bare.server_cpu + bare.db_cpu) / bare.requests if bare.requests else 0.0
            app_cost = (app.server_cpu + app.db_cpu) / app.requests if app.requests else 0.0
            by_cpu = f"{cost / app_cost:.2f}" if app_cost else "-"
            print(
                f"{name:<24}  surveyapp/bare = {ratio:.2f} in req/s (target ≥ {target:.2f}: "
                f"{verdict}); {by_cpu} in server CPU per request (app + PostgreSQL)"
            )
    problems = [p for res in all_results for p in res.problems]
    for problem in problems:
        print(f"PROBLEM: {problem}")


# --- the profile ------------------------------------------------------------------------------

#: (what, module path fragment, function name) whose cumulative time is reported.
BREAKDOWN = [
    ("_visit (link, response, version, languages, texts)", "web/survey/routes.py", "_visit"),
    ("  find_link (link, response, stamp; a page's answers)", "responses/reads.py", "find_link"),
    ("  version_cache.get (the kept version, or loading it)", "version_cache.py", "get"),
    ("  (loading a version: only after an edit)", "version_cache.py", "_load"),
    ("  set_language", "responses/respondent.py", "set_language"),
    (
        "make_page_form (a new form class: once per process)",
        "questionnaires/page_forms.py",
        "make_page_form",
    ),
    ("form construction (FlaskForm.__init__ / meta)", "wtforms/form.py", "__call__"),
    ("saved_answers (pages that read other pages' answers)", "responses/reads.py", "saved_answers"),
    ("form.validate (wtforms)", "wtforms/form.py", "validate"),
    ("respondent.save_page (write transaction)", "responses/respondent.py", "save_page"),
    ("render_template", "flask/templating.py", "render_template"),
    ("  question_block (each question's HTML)", "web/survey/display.py", "question_block"),
    ("SQLAlchemy Connection.execute (all statements)", "sqlalchemy/engine/base.py", "execute"),
    ("DB driver cursor.execute", "sqlalchemy/engine/default.py", "do_execute"),
    ("templates' _()", "surveyapp/languages/current.py", "template_gettext"),
    ("after_request hooks", "flask/app.py", "process_response"),
    ("session cookie save", "flask/sessions.py", "save_session"),
]


def _cumulative(stats: pstats.Stats, path: str, name: str) -> float:
    total = 0.0
    for (filename, _line, function), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if path in filename.replace(os.sep, "/") and (
            function == name or (name == "macro" and function.startswith("macro"))
        ):
            total += ct
    return total


def profile(url: str, args) -> None:
    """In-process: the same requests through app.test_client, timed and profiled."""
    from sqlalchemy import event

    from surveyapp.extensions import db

    label = common.database_label(url)
    common.prepare_database(url)
    app = common.make_app(url)
    forms = common.answer_forms(app, args.lang)
    tokens = common.make_invitations(app, 2, args.lang)
    common.analyze(app)
    queries: list[int] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *_: queries.append(1))

    client = app.test_client()
    start = client.get(f"/r/{tokens[0]}", follow_redirects=True)
    prefix = start.request.path
    consent = {"action": "accept", "csrf_token": csrf_token(start.get_data(as_text=True))}
    client.post(f"{prefix}/consent", data=consent)
    page_url = f"{prefix}/p/{PAGE}"
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    bodies = [{**variant[PAGE - 1], "action": "next", "csrf_token": token} for variant in forms]

    def get(_i: int) -> None:
        reply = client.get(page_url)
        if reply.status_code != 200:
            raise common.HTTPError(f"GET {page_url}: {reply.status_code}")

    def post(i: int) -> None:
        reply = client.post(page_url, data=bodies[i % 2])
        if reply.status_code != 303 or not reply.location.endswith(f"/p/{PAGE + 1}"):
            raise common.HTTPError(f"POST {page_url}: {reply.status_code} {reply.location}")

    n = args.profile_requests
    print(f"In-process profile ({label}, {args.lang}, page {PAGE}, {n} requests each, test client)")
    for name, request in (("GET", get), ("POST", post)):
        for i in range(20):
            request(i)
        queries.clear()
        started = time.perf_counter()
        for i in range(n):
            request(i)
        plain = (time.perf_counter() - started) / n * 1000
        per_request_queries = len(queries) / n
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(n):
            request(i)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=io.StringIO())
        total = stats.total_tt  # type: ignore[attr-defined]
        print(
            f"\n{name} {page_url.replace(prefix, '/<lang>/r/<token>')}: {plain:.2f} ms/request "
            f"without the profiler, {per_request_queries:.1f} SQL statements/request"
        )
        print(f"  {'share of the profiled time':<52} {'ms/req':>7} {'%':>5}")
        for what, path, function in BREAKDOWN:
            ct = _cumulative(stats, path, function)
            if ct:
                print(f"  {what:<52} {ct / n * 1000:7.2f} {100 * ct / total:5.1f}")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.profile_top)
        body = out.getvalue()
        print("  top functions by own time:")
        for row in body[body.index("ncalls") :].splitlines()[1:]:
            if row.strip():
                print("   ", row.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", ""))
    with app.app_context():
        db.engine.dispose()


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a ~20-second smoke run: 1s per test, SQLite only unless --only postgresql",
    )
    parser.add_argument("--seconds", type=float, default=15, help="measured seconds per test")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds per test")
    parser.add_argument(
        "--slice",
        type=float,
        default=5,
        help="surveyapp and the bare app take turns in slices of this many seconds",
    )
    parser.add_argument("--full-seconds", type=float, default=20, help="whole-path window")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients/respondents")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--lang", default="en", help="the respondents' language")
    parser.add_argument(
        "--tool", choices=["wrk", "python"], help="load generator (default: wrk if installed)"
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database only")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="SECONDS",
        help="on a shared machine: before each test wait up to this long for other "
        "processes to use under 15%% of the CPUs",
    )
    parser.add_argument("--profile", action="store_true", help="profile in-process instead")
    parser.add_argument("--profile-requests", type=int, default=300)
    parser.add_argument("--profile-top", type=int, default=15)
    args = parser.parse_args(argv)
    args.waited, args.questions = 0.0, "?"
    if args.quick:
        args.seconds, args.warmup, args.full_seconds = 1, 1, 3
        if args.only is None:
            args.only, args.quick_sqlite = "sqlite", True
    args.tool = args.tool or ("wrk" if shutil.which("wrk") else "python")
    if args.tool == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk), use --tool python")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ["SECRET_KEY"] = common.SECRET_KEY
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if args.only == "postgresql" and not pg_url:
        print("--only postgresql needs TEST_DATABASE_URL (that database is wiped)", file=sys.stderr)
        return 2
    urls, skipped = [], None
    with tempfile.TemporaryDirectory(prefix="http_bench_") as tmp:
        workdir = Path(tmp)
        if args.only != "postgresql":
            urls.append(f"sqlite:///{workdir / 'surveyapp.sqlite3'}")
        if args.only != "sqlite" and pg_url:
            urls.append(common.normalise_url(pg_url))
        elif args.only is None or getattr(args, "quick_sqlite", False):
            skipped = (
                "PostgreSQL skipped in --quick (add --only postgresql)"
                if pg_url
                else "PostgreSQL skipped: set TEST_DATABASE_URL (that database is wiped)"
            )
        if args.profile:
            for url in urls:
                profile(url, args)
                print()
            return 0
        results = [bench_database(url, args, workdir) for url in urls]
    print_table(args, results, skipped)
    return 1 if any(res.problems for res in results) else 0


if __name__ == "__main__":
    sys.exit(main())
