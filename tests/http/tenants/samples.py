"""The realistic sample configuration (shared/fixtures, or the copy beside this file)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
_SHARED = _HERE.parents[3] / "shared" / "fixtures" / "sample-config.json"
SECRETS = ("demo-secret-api-key", "demo-client-secret")


def _load() -> dict[str, Any]:
    path = _SHARED if _SHARED.is_file() else _HERE / "sample-config.json"
    return json.loads(path.read_text(encoding="utf-8"))


_SAMPLE = _load()


def sample_config(**changes: Any) -> dict[str, Any]:
    """A fresh deep copy of the sample document, with top-level ``changes`` applied."""
    doc = copy.deepcopy(_SAMPLE)
    doc.update(changes)
    return doc


def minimal_config(tenant_id: str = "mini", **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": tenant_id,
        "name": f"Config {tenant_id}",
        "entityForms": [{"name": "person", "formio": {"components": []}}],
    }
    doc.update(changes)
    return doc
