"""Tenant secrets at rest: sealed with SECRET_KEY, readable after rotation, never lost."""

from __future__ import annotations

import logging

import pytest

from adapters_out.secrets.boxes import PREFIX, FernetSecretBox, PlainSecretBox
from ports.secrets import SecretUnavailable


def test_fernet_round_trip_hides_the_plaintext() -> None:
    box = FernetSecretBox(["k1"])
    sealed = box.seal("demo-secret-api-key")
    assert sealed.startswith(PREFIX)
    assert "demo-secret-api-key" not in sealed
    assert box.open(sealed) == "demo-secret-api-key"
    assert box.seal("x") != box.seal("x")  # random IV


def test_rotation_keeps_old_values_readable() -> None:
    old = FernetSecretBox(["old"]).seal("s")
    assert FernetSecretBox(["new", "old"]).open(old) == "s"
    with pytest.raises(SecretUnavailable):
        FernetSecretBox(["other"]).open(old)


def test_values_stored_before_a_key_was_set_still_open() -> None:
    assert FernetSecretBox(["k"]).open("stored-in-clear") == "stored-in-clear"


def test_plain_box_warns_and_refuses_sealed_values(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        box = PlainSecretBox()
    assert "SECRET_KEY is not set" in caplog.text
    assert box.open(box.seal("s")) == "s"
    with pytest.raises(SecretUnavailable):
        box.open(FernetSecretBox(["k"]).seal("s"))


def test_an_empty_key_list_is_refused() -> None:
    with pytest.raises(ValueError):
        FernetSecretBox(["", ""])
