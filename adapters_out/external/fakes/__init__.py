"""Fake remote systems (OpenSPP/Odoo JSON-RPC, an OpenFn trigger, upstream's mock server) as
small HTTP servers on 127.0.0.1: the test suite's fixtures, and ``datacollect fake-external``
for trying external sync locally. In-memory, single process, no security: never expose them."""
