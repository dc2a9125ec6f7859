import pytest

import qayd
from conftest import CONFORMANCE, SAMPLES


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sdk_samples_verify(path):
    report = qayd.verify(path.read_bytes())
    assert report.valid, report.failures
    assert report.failures == []
    assert report  # truthy when valid


def test_report_shape(stamped):
    report = qayd.verify(stamped.xml)
    names = [c.name for c in report.checks]
    for expected in ("invoice_hash", "signed_properties_digest", "certificate_digest", "issuer_serial", "signature", "qr", "icv", "pih"):
        assert expected in names
    check = report.checks[0]
    assert isinstance(check.name, str) and isinstance(check.passed, bool) and isinstance(check.message, str)
    assert "Check(" in repr(check) and "VerificationReport(" in repr(report)


def test_tampered_amount_is_detected(stamped):
    tampered = stamped.xml.replace(b"<cbc:PayableAmount currencyID=\"SAR\">231.15<", b"<cbc:PayableAmount currencyID=\"SAR\">131.15<", 1)
    assert tampered != stamped.xml
    report = qayd.verify(tampered)
    assert not report.valid
    failed = {c.name for c in report.failures}
    assert "invoice_hash" in failed and "qr" in failed
    assert report.invoice_hash != stamped.invoice_hash


def test_tampered_signature_is_detected(stamped):
    sig = stamped.signature.encode()
    forged = sig[:20] + (b"A" if sig[20:21] != b"A" else b"B") + sig[21:]
    report = qayd.verify(stamped.xml.replace(sig, forged))
    assert not report.valid
    assert "signature" in {c.name for c in report.failures}


def test_unsigned_document_reports_missing_stamp():
    report = qayd.verify((CONFORMANCE / "inputs/simplified-invoice.unsigned.xml").read_bytes())
    assert not report.valid
    assert not report
    assert sorted(c.name for c in report.failures) == ["qr", "stamp"]


def test_verify_wrong_type_raises_type_error():
    with pytest.raises(TypeError):
        qayd.verify(123)
