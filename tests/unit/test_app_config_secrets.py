"""Secrets inside app configurations: found, masked, kept on update, stripped for artifacts."""

from __future__ import annotations

import json

from domain.tenant_config_secrets import MASK, kept_secrets, mask, strip_secrets, unmask
from tests.http.tenants.samples import SECRETS, sample_config


def test_the_sample_secrets_are_masked_and_extracted_by_pointer() -> None:
    masked, found = mask(sample_config())
    assert found == {
        "/externalSync/extraFields/0/value": "demo-secret-api-key",
        "/authConfigs/0/fields/client_secret": "demo-client-secret",
    }
    text = json.dumps(masked)
    assert not any(secret in text for secret in SECRETS)
    assert masked["externalSync"]["extraFields"][0] == {"name": "apiKey", "value": MASK}
    assert masked["externalSync"]["extraFields"][1] == {"name": "batchSize", "value": "100"}
    assert masked["authConfigs"][0]["fields"]["client_id"] == "datacollect-mobile"
    assert masked["roles"] == sample_config()["roles"]


def test_credentials_and_secret_named_keys_are_secret() -> None:
    doc = sample_config(
        externalSync={
            "type": "openspp-adapter",
            "url": "http://erp",
            "credentials": {"username": "u", "password": "p", "pin": 1234},
            "callbackToken": "tok",
            "extraFields": [
                {"name": "password", "value": "pw"},
                {"name": "client_secret", "value": "cs"},
                {"name": "database", "value": "db"},
            ],
        }
    )
    masked, found = mask(doc)
    assert set(found.values()) == {"u", "p", "1234", "tok", "pw", "cs", "demo-client-secret"}
    assert masked["externalSync"]["extraFields"][2]["value"] == "db"
    assert unmask(masked, found)["externalSync"]["credentials"]["password"] == "p"


def test_masked_secrets_are_kept_by_identity_even_when_reordered() -> None:
    original = sample_config()
    original["externalSync"]["extraFields"].append({"name": "callbackToken", "value": "cb"})
    stored_doc, stored = mask(original)
    incoming = json.loads(json.dumps(stored_doc))
    incoming["externalSync"]["extraFields"].reverse()
    kept, problems = kept_secrets(incoming, stored_doc, stored)
    assert problems == []
    assert kept == {
        "/externalSync/extraFields/0/value": "cb",
        "/externalSync/extraFields/2/value": "demo-secret-api-key",
        "/authConfigs/0/fields/client_secret": "demo-client-secret",
    }


def test_a_mask_with_nothing_stored_is_a_problem() -> None:
    incoming = sample_config()
    incoming["authConfigs"][0]["fields"]["client_secret"] = MASK
    kept, problems = kept_secrets(incoming, {}, {})
    assert kept == {}
    assert [p[:2] for p in problems] == [("/authConfigs/0/fields/client_secret", "unknown-secret")]


def test_artifacts_drop_secret_positions_entirely() -> None:
    masked, _ = mask(sample_config())
    public = strip_secrets(masked)
    assert public["externalSync"]["extraFields"] == [{"name": "batchSize", "value": "100"}]
    assert "client_secret" not in public["authConfigs"][0]["fields"]
    assert MASK not in json.dumps(public)


def test_url_userinfo_is_a_secret_slot_of_its_own() -> None:
    from domain.tenant_config_secrets import masked_view, url_userinfo, with_userinfo

    assert url_userinfo("https://u:p@h/x") == "u:p"
    assert url_userinfo("https://h/x?next=a@b") is None  # an @ after the authority is not one
    assert url_userinfo("https://@h") is None
    assert with_userinfo("https://u:p@h/x", None) == "https://h/x"
    doc = {"externalSync": {"type": "x", "url": "https://u:p@h/x", "other": "ftp://a@b"}}
    masked, found = mask(doc)
    assert masked["externalSync"] == {"type": "x", "url": "https://***@h/x", "other": "ftp://***@b"}
    assert found == {"/externalSync/url": "u:p", "/externalSync/other": "a"}
    assert unmask(masked, found) == doc
    assert masked_view(masked) == masked  # idempotent
    assert strip_secrets(doc)["externalSync"] == {
        "type": "x",
        "url": "https://h/x",
        "other": "ftp://b",
    }
