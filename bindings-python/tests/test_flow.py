"""End to end against the local gateway (`qayd gateway --port 0` on 127.0.0.1): onboarding
with progress, the engine through an injected outage, clearance, the background worker, the
flat API client's classification, and the asyncio forms."""

import asyncio
import datetime
import sys
import time

import pytest

import qayd
from conftest import new_master_key


def _engine(gateway, store, **options):
    settings = dict(
        store=store,
        environment=gateway.url,
        master_key=new_master_key(),
        retry_base_ms=10,
        retry_cap_ms=20,
        clear_wait_ms=5000,
    )
    settings.update(options)
    return qayd.Engine(settings)


def _chain(credentials, kinds):
    """Stamped documents of `kinds`, linked as one unit's chain (ICV 1, 2, … and PIH)."""
    signer, pih, stamped = credentials.signer(), qayd.GENESIS_PIH, []
    for icv, kind in enumerate(kinds, start=1):
        model = qayd.sample_invoice(credentials.identity, kind)
        model["icv"], model["pih"] = icv, pih
        stamped.append(signer.stamp(qayd.generate(model)))
        pih = stamped[-1].invoice_hash
    return stamped


def _until(check, seconds=10.0, what="condition"):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_onboarding_reports_every_step_and_hides_secrets(gateway, identity):
    steps = []
    credentials = qayd.onboard(
        identity, "123456", gateway.url, {"timeout_ms": 10000}, lambda *step: steps.append(step)
    )
    names = [s[0] for s in steps]
    assert names[0] == "generate key" and names[-1] == "production CSID", names
    total = steps[0][2]
    assert [s[1] for s in steps] == list(range(1, total + 1)) and {s[2] for s in steps} == {total}
    assert credentials.base_url == gateway.url
    assert credentials.vat_number == identity["organization_identifier"]
    assert credentials.identity == identity
    assert credentials.certificate_expiry_unix > time.time()
    assert credentials.certificate_expiry.timestamp() == credentials.certificate_expiry_unix
    assert credentials.issued_at.tzinfo is datetime.timezone.utc
    assert credentials.compliance_request_id and credentials.production_request_id
    text = repr(credentials) + str(credentials.summary())
    for secret in (credentials.secret, credentials.token, "PRIVATE KEY"):
        assert secret not in text
    assert credentials.secret in credentials.to_json()
    assert qayd.Credentials.from_json(credentials.to_json()) == credentials
    assert credentials.signer().certificate.not_after == credentials.certificate_expiry


def test_a_failing_progress_callback_does_not_stop_onboarding(gateway, identity, monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)

    def explode(step, index, total):
        raise RuntimeError(f"callback failed at {step}")

    credentials = qayd.onboard(identity, "123456", gateway.url, progress=explode)
    assert credentials.production_request_id
    assert len(reported) >= 5 and all(isinstance(r.exc_value, RuntimeError) for r in reported)
    assert "generate key" in str(reported[0].exc_value)


def test_a_wrong_otp_is_an_api_rejected_error_with_status(gateway, identity):
    with pytest.raises(qayd.ApiRejectedError) as raised:
        qayd.onboard(identity, "000000", gateway.url)
    assert raised.value.status == 400 and raised.value.code == "API_REJECTED"
    assert "Invalid-OTP" in str(raised.value)


def test_renewal_issues_a_new_production_csid(gateway, identity):
    # A unit of its own: renewal retires the old CSID that other tests share.
    credentials = qayd.onboard(identity, "123456", gateway.url)
    steps = []
    renewed = qayd.renew(credentials, "123456", progress=lambda *step: steps.append(step[0]))
    assert "renew production CSID" in steps, steps
    assert renewed.vat_number == credentials.vat_number
    assert renewed.token != credentials.token
    assert renewed.production_request_id != credentials.production_request_id


def test_issue_report_through_an_outage_clear_and_audit(gateway, credentials, tmp_path):
    with _engine(gateway, str(tmp_path / "qayd.db")) as engine:
        engine.set_credentials("till-1", credentials)
        issued = engine.issue("till-1", qayd.sample_invoice(credentials.identity, "simplified"))
        info = issued["info"]
        assert (info["icv"], info["pih"], info["status"]) == (1, qayd.GENESIS_PIH, "pending")
        # What arrives is what the TypedDicts declare, key for key.
        assert set(issued) == set(qayd.Document.__annotations__)
        assert set(info) == set(qayd.DocumentInfo.__annotations__)
        assert issued["cleared_xml"] is None
        assert qayd.verify(issued["xml"]).valid

        gateway.fault({"status": 503})
        first = engine.drain()
        assert (first["sent"], first["retry_scheduled"]) == (1, 1), first
        assert engine.document("till-1", 1)["info"]["status"] == "retry_scheduled"
        # Retry times are whole seconds: poll until a pass finds it due.
        second = _until(lambda: (lambda r: r if r["sent"] else None)(engine.drain()), 5, "the retry")
        assert (second["sent"], second["reported"]) == (1, 1), second

        cleared = engine.clear("till-1", qayd.sample_invoice(credentials.identity, "standard"))
        assert cleared["outcome"] == "cleared"
        document = cleared["document"]
        assert document["info"]["icv"] == 2 and document["info"]["pih"] == info["invoice_hash"]
        assert qayd.invoice_hash(document["cleared_xml"]) == document["info"]["invoice_hash"]

        assert engine.status_counts() == {"reported": 1, "cleared": 1}
        assert set(engine.status_counts()) == {qayd.DocumentStatus.REPORTED, qayd.DocumentStatus.CLEARED}
        assert all(isinstance(status, qayd.DocumentStatus) for status in engine.status_counts())
        [unit] = engine.egs_units()
        assert (unit["next_icv"], unit["has_credentials"]) == (3, True)
        assert unit["certificate_expiry"] == credentials.certificate_expiry
        assert unit["last_hash"] == document["info"]["invoice_hash"]
        assert [d["status"] for d in engine.documents("till-1")] == ["reported", "cleared"]
        assert [d["icv"] for d in engine.documents_by_status("reported")] == [1]
        assert engine.document_by_uuid(info["uuid"])["xml"] == issued["xml"]

        # A retried outage is no event (events are for people); each final outcome is one.
        events = engine.events()
        assert [(e["kind"], e["icv"]) for e in events] == [("document_reported", 1), ("document_cleared", 2)]
        assert [e["kind"] for e in events] == [qayd.EventKind.DOCUMENT_REPORTED, qayd.EventKind.DOCUMENT_CLEARED]
        assert all(isinstance(e["kind"], qayd.EventKind) for e in events)
        assert all(isinstance(d["status"], qayd.DocumentStatus) for d in engine.documents("till-1"))
        assert cleared["outcome"] is qayd.ClearOutcome.CLEARED

        # Times are timezone-aware datetimes in every record.
        assert all(e["at"].tzinfo is datetime.timezone.utc for e in events)
        assert all(isinstance(d["issued_at"], datetime.datetime) for d in engine.documents("till-1"))
        assert abs(info["issued_at"] - datetime.datetime.now(datetime.timezone.utc)).total_seconds() < 120

        # What monitoring scrapes (the CLI's /metrics text).
        metrics = engine.metrics()
        assert 'qayd_documents{status="reported"} 1' in metrics
        assert 'qayd_documents{status="cleared"} 1' in metrics

        # The QR to print: the cleared document's comes from ZATCA's cleared XML.
        qr = engine.document_qr("till-1", 2)
        tags = {f.tag: f.value for f in qayd.qr_decode(qr)}
        assert tags[6] == document["info"]["invoice_hash"]
        assert engine.document_qr("till-1", 99) is None

        audit = engine.verify_audit()
        assert audit["intact"] is True and audit["rows"] == 6, audit  # 503, report, clearance: sent, answered
        lines = engine.export_audit().splitlines()
        assert len(lines) == 6
        assert credentials.secret not in "\n".join(lines)

        with pytest.raises(qayd.InvalidInputError):
            engine.clear("till-1", qayd.sample_invoice(credentials.identity, "simplified"))


def test_dead_letters_and_stopped_units_raise_events_and_recover(gateway, credentials):
    engine = _engine(gateway, ":memory:", max_attempts=1)
    engine.set_credentials("till-1", credentials)
    engine.issue("till-1", qayd.sample_invoice(credentials.identity))
    gateway.fault({"status": 503})
    assert engine.drain()["dead"] == 1
    [dead] = engine.events()
    assert (dead["kind"], dead["egs_id"], dead["icv"]) == ("dead_letter", "till-1", 1), dead
    assert engine.requeue("till-1", 1) is True
    assert engine.requeue("till-1", 1) is False, "no longer dead"

    gateway.fault({"status": 401})
    report = engine.drain()
    assert report["stopped_units"] == ["till-1"], report
    [stopped] = engine.events(dead["seq"])
    assert stopped["kind"] == "unauthorized" and stopped["seq"] > dead["seq"]
    assert engine.egs_units()[0]["stopped"]
    assert engine.drain()["sent"] == 0, "a stopped unit sends nothing"
    engine.resume_egs("till-1")
    assert engine.egs_units()[0]["stopped"] is None
    assert _until(lambda: engine.drain()["reported"], 5, "the report after resuming") == 1
    assert engine.status_counts() == {"reported": 1}


def test_the_engine_renews_a_unit_from_the_store_and_the_chain_continues(gateway, credentials, tmp_path):
    with _engine(gateway, str(tmp_path / "renew.db")) as engine:
        engine.set_credentials("till-1", credentials)
        with pytest.raises(qayd.ApiRejectedError):
            engine.renew_egs("till-1", "000000")
        assert engine.egs_units()[0]["certificate_expiry"] == credentials.certificate_expiry, "untouched"
        before = engine.issue("till-1", qayd.sample_invoice(credentials.identity))

        # Only the OTP: the store holds the identity; the queued document goes out first.
        outcome = engine.renew_egs("till-1", "123456")
        assert outcome["egs_id"] == "till-1" and outcome["sent_before_renewal"] == 1, outcome
        assert outcome["previous_not_after"] == credentials.certificate_expiry
        assert engine.egs_units()[0]["certificate_expiry"] == outcome["not_after"] > datetime.datetime.now(datetime.timezone.utc)
        [event] = [e for e in engine.events() if e["kind"] == "certificate_renewed"]
        assert event["data"]["certificate_serial"] == outcome["certificate_serial"]

        after = engine.issue("till-1", qayd.sample_invoice(credentials.identity))
        assert after["info"]["pih"] == before["info"]["invoice_hash"] and after["info"]["icv"] == 2
        assert f"<ds:X509SerialNumber>{outcome['certificate_serial']}<" in after["xml"].decode()
        assert engine.drain()["reported"] == 1
        async def renew_again():
            return await engine.renew_egs_async("till-1", "123456")

        again = asyncio.run(renew_again())
        assert again["previous_not_after"] == outcome["not_after"]
        assert again["certificate_serial"] != outcome["certificate_serial"]
        assert engine.status_counts() == {"reported": 2}


def test_the_background_worker_reports_and_the_with_block_stops_it(gateway, credentials, tmp_path):
    with _engine(gateway, str(tmp_path / "worker.db"), poll_interval_ms=50) as engine:
        engine.set_credentials("till-1", credentials)
        engine.start()
        engine.start()  # a no-op
        assert engine.is_running
        issued = engine.issue("till-1", qayd.sample_invoice(credentials.identity, "simplified", "credit_note"))
        icv = issued["info"]["icv"]
        _until(lambda: engine.document("till-1", icv)["info"]["status"] == "reported", 10, "the report")
        engine.stop()
        assert not engine.is_running
        engine.start()
        assert engine.is_running
    assert not engine.is_running, "leaving the with block stops the worker"


def test_the_api_client_classifies_answers(gateway, credentials):
    client = qayd.ApiClient(gateway.url, {"timeout_ms": 5000})
    stamped, standard = _chain(credentials, ["simplified", "standard"])
    token, secret = credentials.token, credentials.secret

    gateway.fault({"status": 429, "retry_after": 7})
    limited = client.reporting(token, secret, stamped.xml)
    assert limited["outcome"] == "retryable"
    assert (limited["http_status"], limited["retry_after_ms"]) == (429, 7000)

    reported = client.reporting(token, secret, stamped.xml)
    assert (reported["outcome"], reported["http_status"]) == ("accepted", 200), reported
    assert reported["outcome"] is qayd.ApiOutcome.ACCEPTED
    assert set(reported) == set(qayd.ApiAnswer.__annotations__), "the TypedDict declares what arrives"
    again = client.reporting(token, secret, stamped.xml)
    assert again["outcome"] == "duplicate"
    refused = client.reporting(token, "wrong secret", stamped.xml)
    assert (refused["outcome"], refused["http_status"]) == ("unauthorized", 401)

    cleared = client.clearance(token, secret, standard.xml)
    assert cleared["outcome"] == "accepted", cleared
    assert qayd.verify(cleared["cleared_xml"]).invoice_hash == standard.invoice_hash

    with pytest.raises(qayd.ApiRejectedError) as raised:
        client.compliance_csid("bm90IGEgQ1NS", "000000")
    assert raised.value.status == 400
    csr = qayd.build_csr(credentials.identity, qayd.generate_private_key_pem(), gateway.url)
    issued = client.compliance_csid(csr["base64"], "123456")
    assert issued["outcome"] == "accepted" and isinstance(issued["response"]["binarySecurityToken"], str)

    with pytest.raises(qayd.InvalidDocumentError):
        client.reporting(token, secret, b"<Invoice/>")
    with pytest.raises(qayd.InvalidInputError):
        qayd.ApiClient("ftp://x")


def test_an_unreachable_platform_is_a_retryable_answer(identity):
    # Port 9 (discard) on loopback refuses the connection: no answer, safe to send again.
    client = qayd.ApiClient("http://127.0.0.1:9", {"connect_timeout_ms": 2000})
    answer = client.compliance_csid("bm90IGEgQ1NS", "123456")
    assert (answer["outcome"], answer["http_status"], answer["response"]) == ("retryable", None, None)
    assert answer["reason"]


def test_the_asyncio_api_client(gateway, identity):
    async def main():
        steps = []
        credentials = await qayd.onboard_async(identity, "123456", gateway.url, progress=lambda *s: steps.append(s))
        assert steps[0][0] == "generate key" and steps[-1][0] == "production CSID"
        client = qayd.ApiClient(gateway.url)
        first, second = _chain(credentials, ["simplified", "standard"])
        csr = qayd.build_csr(identity, qayd.generate_private_key_pem(), gateway.url)
        # Two calls in flight at once on the shared runtime.
        reported, issued = await asyncio.gather(
            client.reporting_async(credentials.token, credentials.secret, first.xml),
            client.compliance_csid_async(csr["base64"], "123456"),
        )
        assert (reported["outcome"], issued["outcome"]) == ("accepted", "accepted")
        cleared = await client.clearance_async(credentials.token, credentials.secret, second.xml)
        assert qayd.invoice_hash(cleared["cleared_xml"]) == second.invoice_hash
        refused = await client.reporting_async(credentials.token, "wrong", first.xml)
        assert (refused["outcome"], refused["http_status"]) == ("unauthorized", 401)
        with pytest.raises(qayd.ApiRejectedError) as raised:
            await client.compliance_csid_async(csr["base64"], "000000")
        assert raised.value.status == 400
        renewed = await qayd.renew_async(credentials, "123456")
        assert renewed.token != credentials.token

    asyncio.run(main())


def test_the_asyncio_engine(gateway, credentials, tmp_path):
    identity = credentials.identity

    async def main():
        async with _engine(gateway, str(tmp_path / "async.db")) as engine:
            engine.set_credentials("till-1", credentials)
            engine.issue("till-1", qayd.sample_invoice(identity))
            gateway.fault({"status": 503})
            first = await engine.drain_async()
            assert first["retry_scheduled"] == 1, first
            while (await engine.drain_async())["reported"] == 0:
                await asyncio.sleep(0.05)
            cleared = await engine.clear_async("till-1", qayd.sample_invoice(identity, "standard"))
            assert cleared["outcome"] == "cleared", cleared
            assert qayd.invoice_hash(cleared["document"]["cleared_xml"]) == cleared["document"]["info"]["invoice_hash"]
            with pytest.raises(qayd.InvalidInputError):
                await engine.clear_async("till-1", qayd.sample_invoice(identity, "simplified"))
            await engine.stop_async()  # not running: a no-op
            engine.start()
            assert engine.is_running
        return engine

    engine = asyncio.run(main())
    assert not engine.is_running, "leaving `async with` stops the worker"
    assert engine.status_counts() == {"reported": 1, "cleared": 1}


def test_async_forms_need_a_running_event_loop(identity):
    engine = qayd.Engine(store=":memory:")
    with pytest.raises(RuntimeError):
        engine.drain_async()


def test_the_worker_health_reports_a_wrong_master_key_and_keeps_running(gateway, credentials, tmp_path):
    store = str(tmp_path / "health.db")
    with _engine(gateway, store) as engine:
        engine.set_credentials("till-1", credentials)
    key = qayd.generate_master_key()
    assert key != qayd.generate_master_key()
    with _engine(gateway, store, master_key=key, poll_interval_ms=20) as wrong:
        assert wrong.worker_health()["passes"] == 0
        wrong.start()
        health = _until(
            lambda: (h := wrong.worker_health())["consecutive_failures"] >= 2 and h, 10, "two failed passes"
        )
        assert wrong.is_running, "a failed pass does not stop the worker"
        error = health["last_error"]
        assert (error["code"], error["egs_id"]) == ("SECRET", "till-1")
        assert credentials.secret not in error["message"]


def test_issued_documents_carry_their_warnings_and_the_policy_is_an_option(gateway, credentials, tmp_path):
    import datetime

    invoice = qayd.sample_invoice(credentials.identity, "simplified")
    # Issued three days ago: reporting it now breaks BR-KSA-98 (a warning, not an error).
    invoice["issue_date"] = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()
    with _engine(gateway, ":memory:") as engine:
        engine.set_credentials("till-1", credentials)
        issued = engine.issue("till-1", invoice)
        assert [f.rule for f in issued["findings"]] == ["BR-KSA-98"]
        assert issued["findings"][0].severity == "warning"
        assert engine.document("till-1", issued["info"]["icv"])["findings"] == []
    with _engine(gateway, ":memory:", validation="refuse_on_warnings") as strict:
        strict.set_credentials("till-1", credentials)
        with pytest.raises(qayd.InvalidModelError) as refused:
            strict.issue("till-1", invoice)
        assert refused.value.rule == "BR-KSA-98"
        assert strict.documents("till-1") == []
    with pytest.raises(qayd.InvalidInputError):
        _engine(gateway, ":memory:", validation="sometimes")
