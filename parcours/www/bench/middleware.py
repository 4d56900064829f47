"""Counts the SQL statements and the CPU time of each request into response headers, under
PARCOURS_BENCH only.

`make bench` reads the headers to print statements and CPU milliseconds per request;
production never loads this middleware (settings.py adds it only when the PARCOURS_BENCH
variable is set).
"""

import time
from contextlib import ExitStack

from django.db import connections

HEADER = "X-Parcours-Queries"
# The worker's CPU time spent on the request (time.process_time: this process only, so not
# PostgreSQL's share), in milliseconds. gunicorn's sync workers serve one request at a time,
# so the process's clock is the request's.
CPU_HEADER = "X-Parcours-CPU-Ms"


class QueryCountMiddleware:
    """Outermost: counts the statements and the CPU of every other middleware (session save
    included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        started = time.process_time()
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        response[HEADER] = str(count)
        response[CPU_HEADER] = f"{(time.process_time() - started) * 1000:.1f}"
        return response
