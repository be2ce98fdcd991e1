"""The layering is checked by import-linter in `make test`; this adds the domain allow-list
(import-linter can only deny): the domain may import the standard library and attrs only."""

from __future__ import annotations

import sys

import grimp


def test_domain_imports_only_stdlib_and_attrs():
    graph = grimp.build_graph("domain", include_external_packages=True)
    used = {
        imported.split(".")[0]
        for module in graph.modules
        if module.startswith("domain")
        for imported in graph.find_modules_directly_imported_by(module)
    } - {"domain"}
    assert used <= set(sys.stdlib_module_names) | {"attrs", "attr"}, used


def test_ports_import_only_domain_stdlib_and_attrs():
    graph = grimp.build_graph("ports", "domain", include_external_packages=True)
    used = {
        imported.split(".")[0]
        for module in graph.modules
        if module.startswith("ports")
        for imported in graph.find_modules_directly_imported_by(module)
    } - {"ports", "domain"}
    assert used <= set(sys.stdlib_module_names) | {"attrs", "attr"}, used
