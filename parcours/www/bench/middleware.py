"""Counts the SQL statements of each request into a response header, under PARCOURS_BENCH only.

`make bench` reads the header to print statements per request; production never loads this
middleware (settings.py adds it only when the PARCOURS_BENCH variable is set).
"""

from contextlib import ExitStack

from django.db import connections

HEADER = "X-Parcours-Queries"


class QueryCountMiddleware:
    """Outermost: counts the statements of every other middleware (session save included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counter))
            response = self.get_response(request)
        response[HEADER] = str(count)
        return response
