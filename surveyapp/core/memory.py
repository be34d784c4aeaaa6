"""The garbage collector in a long-running web process.

Most of a worker's objects live as long as the process: modules, the SQLAlchemy
mappers, compiled templates, message catalogs, the kept questionnaire versions
(``questionnaires.version_cache``). CPython's cyclic collector still walks all of them
in its collections, which a page view's allocations keep triggering. Measured with
callbacks on ``gc`` around 1,000 respondent page views through the test client (a busy
machine): 0.4-0.7 ms of collection per view of 4-7 ms, and 0.04-0.16 ms once frozen.
``gc.freeze()`` moves every object alive at that moment out of the collector's sight
(the standard library's advice for servers).

So once a process has served its first ``GC_FREEZE_AFTER_REQUESTS`` requests (its
templates compiled, its versions loaded), it collects once and freezes what is left.
Frozen objects are still freed when nothing refers to them; only reference cycles
among them would outlive their use (a version replaced in the cache is one object
graph, dropped whole, without cycles of its own worth counting). 0 turns it off (the
tests, which make an application per test, in one process).
"""

from __future__ import annotations

import gc
import threading

from flask import Flask


def init_app(app: Flask) -> None:
    after = int(app.config.get("GC_FREEZE_AFTER_REQUESTS") or 0)
    if after <= 0:
        return
    state = {"served": 0, "frozen": False}
    lock = threading.Lock()

    @app.teardown_request
    def freeze_when_warm(_error: BaseException | None = None) -> None:
        if state["frozen"]:
            return
        with lock:
            state["served"] += 1
            if state["served"] >= after and not state["frozen"]:
                state["frozen"] = True
                gc.collect()
                gc.freeze()
