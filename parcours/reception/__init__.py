"""The reception day (PFA): sessions, convocations, the day sheet and its steps, worklists."""
