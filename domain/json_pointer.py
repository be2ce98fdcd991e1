"""RFC 6901 JSON pointers (problem locations, secret positions)."""

from __future__ import annotations


def pointer(*parts: object) -> str:
    """A JSON pointer from path parts: ``pointer("a", 0, "b/c") == "/a/0/b~1c"``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def parts(json_pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in json_pointer.split("/")[1:]]
