import base64
import datetime
import re

import pytest

import qayd
from conftest import CONFORMANCE, SAMPLES, SDK, SIGNING_TIME, declared_hash


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_restamped_sdk_sample_verifies_and_keeps_its_hash(signer, path):
    xml = path.read_bytes()
    stamped = signer.stamp(xml, signing_time=SIGNING_TIME)
    assert stamped.invoice_hash == declared_hash(xml)
    report = qayd.verify(stamped.xml)
    assert report.valid, report.failures
    assert report.invoice_hash == stamped.invoice_hash


def test_stamped_invoice_fields(stamped, simplified):
    assert isinstance(stamped.xml, bytes)
    assert stamped.uuid == re.search(rb"<cbc:UUID>(.*?)</cbc:UUID>", simplified).group(1).decode()
    assert stamped.signing_time == SIGNING_TIME
    assert f"<xades:SigningTime>{SIGNING_TIME}</xades:SigningTime>".encode() in stamped.xml
    assert stamped.signature.encode() in stamped.xml
    assert stamped.qr.encode() in stamped.xml
    assert base64.b64decode(stamped.signature)[0] == 0x30  # DER SEQUENCE
    assert stamped.invoice_hash == qayd.invoice_hash(stamped.xml)


def test_stamping_is_deterministic(signer, simplified, stamped):
    again = signer.stamp(simplified, signing_time=SIGNING_TIME)
    assert again.xml == stamped.xml
    assert again.signature == stamped.signature


def test_stamp_matches_the_conformance_golden_file(signer):
    unsigned = (CONFORMANCE / "inputs/simplified-invoice.unsigned.xml").read_bytes()
    golden = (CONFORMANCE / "expected/stamp-simplified-invoice.xml").read_bytes()
    assert signer.stamp(unsigned, signing_time=SIGNING_TIME).xml == golden


def test_default_signing_time_is_now_in_riyadh(signer, simplified):
    stamped = signer.stamp(simplified)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", stamped.signing_time)
    riyadh = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=3))).replace(tzinfo=None)
    written = datetime.datetime.fromisoformat(stamped.signing_time)
    assert abs((riyadh - written).total_seconds()) < 120
    assert qayd.verify(stamped.xml).valid


def test_stamp_accepts_str(signer, simplified, stamped):
    assert signer.stamp(simplified.decode("utf-8"), signing_time=SIGNING_TIME).xml == stamped.xml


def test_certificate_info(signer):
    cert = signer.certificate
    assert cert.issuer_name == "CN=PRZEINVOICESCA4-CA, DC=extgazt, DC=gov, DC=local"
    assert cert.serial_number == "379112742831380471835263969587287663520528387"
    assert cert.not_after == datetime.datetime(2029, 1, 9, 9, 19, 30, tzinfo=datetime.timezone.utc)
    assert cert.not_before == datetime.datetime(2024, 1, 11, 9, 19, 30, tzinfo=datetime.timezone.utc)
    assert cert.not_after_unix == int(cert.not_after.timestamp())
    assert cert.der[0] == 0x30
    assert cert.base64 == base64.b64encode(cert.der).decode()
    assert qayd.Certificate(cert.der).serial_number == cert.serial_number


def _pem(label: str, body: str) -> str:
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


def test_signer_accepts_every_encoding(cert_bytes, key_bytes, simplified, stamped):
    cert_b64 = cert_bytes.decode().strip()
    key_b64 = key_bytes.decode().strip()
    certificates = [
        cert_bytes,  # the SDK's bare base64
        cert_b64,  # as str
        _pem("CERTIFICATE", cert_b64),  # PEM armour
        base64.b64decode(cert_b64),  # DER
        base64.b64encode(cert_b64.encode()),  # Fatoora binarySecurityToken
    ]
    keys = [key_bytes, key_b64, _pem("EC PRIVATE KEY", key_b64), base64.b64decode(key_b64)]
    for cert in certificates:
        for key in keys:
            signer = qayd.Signer(cert, key)
            assert signer.stamp(simplified, signing_time=SIGNING_TIME).xml == stamped.xml


def test_signer_accepts_pkcs8(simplified):
    keys = CONFORMANCE / "keys"
    signer = qayd.Signer((keys / "other-secp256k1-cert.pem").read_bytes(), (keys / "other-secp256k1-pkcs8.pem").read_bytes())
    assert qayd.verify(signer.stamp(simplified, signing_time=SIGNING_TIME).xml).valid


@pytest.mark.parametrize("args", [(None, b"k"), (b"c", None), (1, 2)])
def test_signer_wrong_types_raise_type_error(args):
    with pytest.raises(TypeError):
        qayd.Signer(*args)


def test_stamp_wrong_types_raise_type_error(signer, simplified):
    with pytest.raises(TypeError):
        signer.stamp(None)
    with pytest.raises(TypeError):
        signer.stamp(simplified, signing_time=20250722)
