"""One cursor key for the tests (the server derives its own from JWT_SECRET)."""

from domain.cursor import CursorCodec

CURSORS = CursorCodec.from_secret("test-cursor-secret")
