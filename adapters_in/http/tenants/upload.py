"""Reading an uploaded app configuration: multipart/form-data with a ``config`` file part of
type application/json (what the admin UI sends), or a plain JSON body."""

from __future__ import annotations

import json
from typing import Any

import falcon

from adapters_in.http.parsing import InvalidRequest

FIELD = "config"


def _is_json(media_type: str | None) -> bool:
    kind = (media_type or "").partition(";")[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def _too_deep() -> InvalidRequest:
    detail = "The uploaded configuration is nested too deeply to parse"
    return InvalidRequest(400, detail, [("#", "too-deep", detail)])


def uploaded_config(req: falcon.Request) -> Any:
    """The uploaded document (any JSON value; validation decides what is acceptable)."""
    content_type = (req.content_type or "").lower()
    if not content_type.startswith("multipart/form-data"):
        try:
            return req.get_media(default_when_empty=None)
        except RecursionError:
            raise _too_deep() from None
    for part in req.get_media():
        if part.name != FIELD:
            continue
        if not _is_json(part.content_type):
            raise falcon.HTTPUnsupportedMediaType(
                description=f"the '{FIELD}' part must be application/json"
            )
        raw = part.stream.read()  # not ``part.data``: that is capped at 1 MiB by default
        try:
            return json.loads(raw.decode("utf-8"))
        except RecursionError:  # the stdlib parser recurses per nesting level
            raise _too_deep() from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InvalidRequest(
                400,
                "The uploaded configuration is not valid JSON",
                [("#", "malformed-json", str(error))],
            ) from None
    raise InvalidRequest(
        400, "No JSON file uploaded", [(f"#/{FIELD}", "missing-field", "No JSON file uploaded")]
    )
