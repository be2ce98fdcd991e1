"""Decoding JSON text fast where it is hot (export and OData scans), with the standard
library's exact results.

orjson decodes about twice as fast as ``json``, but differs on a few inputs: integers beyond
64 bits come back as (rounded) floats, and lone surrogates or out-of-range numbers (``1e400``)
are refused. Text holding a run of 19 or more digits, or that orjson refuses, is therefore
read by ``json``, so every value is the one ``json.loads`` gives.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# Integers orjson would round: 19 or more digits in a row. The regular expression costs more
# than orjson's whole decoding, so it runs only on text with 19 digits or more in all,
# which counting (bytes.translate) finds for a fraction of that.
_LONG_NUMBER = re.compile(r"[0-9]{19}")
_DIGITS = b"0123456789"


def load(text: str) -> Any:
    encoded = text.encode(errors="surrogatepass")
    digits = len(encoded) - len(encoded.translate(None, _DIGITS))
    if digits < 19 or not _LONG_NUMBER.search(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)
