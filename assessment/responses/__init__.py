"""Responses as data: the in-memory ResponseTable, reading and writing the wide CSV, CSV safety."""
