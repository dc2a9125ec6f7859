"""The Engine object without a network: options, errors, queries on an empty store, the context
manager, and use from several threads. The flow against the gateway is in test_flow.py."""

import json
import threading

import pytest

import qayd
from conftest import new_master_key


def test_options_as_dict_json_or_keywords():
    for engine in (
        qayd.Engine({"store": ":memory:"}),
        qayd.Engine('{"store": ":memory:"}'),
        qayd.Engine(store=":memory:", retry_base_ms=10),
        qayd.Engine({"store": "/nonexistent/dir/x.db"}, store=":memory:"),  # keywords win
        qayd.Engine(":memory:", retry_base_ms=10),  # the store alone
    ):
        assert engine.status_counts() == {}
        assert engine.is_running is False


@pytest.mark.parametrize(
    "options, error, text",
    [
        ({"store": ":memory:", "colour": "red"}, qayd.InvalidInputError, "colour"),
        ({"store": ":memory:", "environment": "mars"}, qayd.InvalidInputError, "mars"),
        ({"store": ":memory:", "retry_base_ms": "soon"}, qayd.InvalidInputError, "retry_base_ms"),
        ({"store": ":memory:", "master_key": "short"}, qayd.SecretError, None),
        ('{"store": ', qayd.InvalidInputError, None),
        ("[1, 2]", qayd.InvalidInputError, "JSON object"),
    ],
)
def test_bad_options_are_typed_errors(options, error, text):
    with pytest.raises(error, match=text):
        qayd.Engine(options)


def test_options_of_the_wrong_type_are_type_errors():
    with pytest.raises(TypeError):
        qayd.Engine(42)


def test_an_unusable_store_is_a_storage_error(tmp_path):
    with pytest.raises(qayd.StorageError, match="missing-dir"):
        qayd.Engine(store=str(tmp_path / "missing-dir" / "x.db"))
    with pytest.raises(qayd.InvalidInputError, match="empty store"):
        qayd.Engine()


def test_an_empty_store_answers_every_query():
    engine = qayd.Engine(store=":memory:", master_key=new_master_key())
    engine.register_egs("till-1")
    units = engine.egs_units()
    assert units == [
        {
            "egs_id": "till-1",
            "next_icv": 1,
            "last_hash": qayd.GENESIS_PIH,
            "has_credentials": False,
            "environment": None,
            "certificate_expiry": None,
            "stopped": None,
        }
    ]
    assert engine.events() == []
    assert engine.documents("till-1") == []
    assert engine.documents_by_status("pending") == []
    assert engine.document("till-1", 1) is None
    assert engine.document_by_uuid("3cf5ee18-ee25-44ea-a444-2c37ba7f28be") is None
    assert engine.requeue("till-1", 1) is False
    assert engine.recover() == 0
    assert engine.export_audit() == ""
    audit = engine.verify_audit()
    assert audit["intact"] is True and audit["rows"] == 0


def test_bad_calls_are_typed_errors(identity):
    engine = qayd.Engine(store=":memory:")
    invoice = qayd.sample_invoice(identity, "simplified")
    with pytest.raises(qayd.InvalidInputError):
        engine.issue("nobody", invoice)  # no credentials for the unit
    with pytest.raises(qayd.InvalidInputError, match="lost"):
        engine.documents_by_status("lost")
    with pytest.raises(qayd.InvalidInputError):
        engine.issue("till-1", '{"kind": ')
    with pytest.raises(TypeError):
        engine.issue("till-1", 3)
    with pytest.raises(TypeError):
        engine.document("till-1", "one")
    with pytest.raises(OverflowError):
        engine.document("till-1", -1)
    with pytest.raises(qayd.QaydError):
        engine.start()  # no environment: no worker
    assert engine.is_running is False
    with pytest.raises(qayd.InvalidInputError):
        engine.drain()  # no environment: nothing to submit to


def test_no_master_key_means_no_credentials(credentials, monkeypatch):
    monkeypatch.delenv("QAYD_MASTER_KEY", raising=False)
    engine = qayd.Engine(store=":memory:")
    with pytest.raises(qayd.SecretError) as raised:
        engine.set_credentials("till-1", credentials)
    assert raised.value.code == "SECRET"
    assert credentials.secret not in str(raised.value)


def test_a_reissued_uuid_is_refused(credentials, identity):
    engine = qayd.Engine(store=":memory:", master_key=new_master_key())
    engine.set_credentials("till-1", credentials)
    invoice = qayd.sample_invoice(identity)
    engine.issue("till-1", invoice)
    with pytest.raises(qayd.InvalidInputError, match="already issued"):
        engine.issue("till-1", invoice)
    assert len(engine.documents("till-1")) == 1


def test_the_master_key_comes_from_the_environment_too(credentials, identity, monkeypatch):
    monkeypatch.setenv("QAYD_MASTER_KEY", new_master_key())
    engine = qayd.Engine(store=":memory:")
    engine.set_credentials("till-1", credentials)
    assert engine.issue("till-1", qayd.sample_invoice(identity))["info"]["icv"] == 1
    monkeypatch.setenv("QAYD_MASTER_KEY", "not base64 of 32 bytes")
    with pytest.raises(qayd.SecretError):
        qayd.Engine(store=":memory:")


def test_a_wrong_master_key_cannot_open_the_credentials(credentials, identity, tmp_path):
    store = str(tmp_path / "qayd.db")
    with qayd.Engine(store=store, master_key=new_master_key()) as engine:
        engine.set_credentials("till-1", credentials)
    other = qayd.Engine(store=store, master_key=new_master_key())
    with pytest.raises(qayd.SecretError) as raised:
        other.issue("till-1", qayd.sample_invoice(identity))
    assert credentials.secret not in str(raised.value)
    assert other.documents("till-1") == [], "nothing issued with unopenable credentials"


def test_the_context_manager_returns_the_engine_and_never_swallows():
    with pytest.raises(KeyError):
        with qayd.Engine(store=":memory:") as engine:
            assert isinstance(engine, qayd.Engine)
            raise KeyError("boom")
    engine.close()  # stopping a stopped engine is a no-op
    engine.stop()


def test_one_engine_issues_from_many_threads_without_gaps(credentials, identity):
    engine = qayd.Engine(store=":memory:", master_key=new_master_key())
    engine.set_credentials("till-1", credentials)
    # Each document has its own UUID (a second issue of the same UUID is refused).
    invoices = [json.dumps(qayd.sample_invoice(identity)) for _ in range(20)]
    errors = []

    def issue_five(first):
        try:
            for invoice in invoices[first : first + 5]:
                engine.issue("till-1", invoice)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=issue_five, args=(5 * n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    documents = engine.documents("till-1")
    assert [d["icv"] for d in documents] == list(range(1, 21))
    assert documents[0]["pih"] == qayd.GENESIS_PIH
    for previous, document in zip(documents, documents[1:]):
        assert document["pih"] == previous["invoice_hash"], "the chain is linked in ICV order"
    assert engine.status_counts() == {"pending": 20}
