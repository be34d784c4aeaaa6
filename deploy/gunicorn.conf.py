"""gunicorn settings of `make serve` (the slow-client and concurrency tests read this file).

gevent workers, not sync or threads: a sync worker is held by one slow client for
as long as it takes to send its headers (four slow connections stalled four
workers), and a gthread worker hands every accepted connection to a thread that
then waits for it, so a few more slow clients stall it too. A gevent worker
waits for all its connections in one event loop, so a slow client costs a
greenlet, not a worker. psycopg 3 cooperates with gevent by itself (since 3.1.14);
SQLite's calls are short and never wait on the network inside a transaction.
What a gevent worker cannot do is run two requests' Python at once: a long export
holds its worker's other requests until it is done (the exports move to the job
queue later). In production put nginx in front with deploy/nginx.conf as well: it
reads each request whole before gunicorn sees it and serves the static files.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WORKERS", "4"))
worker_class = "gevent"
#: Connections one worker holds at once (slow ones included).
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "1000"))
#: A worker silent this long is restarted; a request may take this long at most.
timeout = 60
#: Idle keep-alive connections are closed after this many seconds.
keepalive = 5
#: Request lines and headers beyond these are refused (400) before the app sees them.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
#: The access log names the route, never an invitation's token (see surveyapp.core.access_log).
accesslog = os.environ.get("ACCESS_LOG", "-")
logger_class = "surveyapp.core.access_log.TokenRedactingLogger"
