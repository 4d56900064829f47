"""Benchmarks of the pages over HTTP (issue 12): the server side and the load generator."""
