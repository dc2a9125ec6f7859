import pickle

import pytest

import qayd
from conftest import CONFORMANCE, SDK, SIGNING_TIME

KEYS = CONFORMANCE / "keys"
INPUT_CLASSES = {
    "INVALID_INPUT": qayd.InvalidInputError,
    "INVALID_XML": qayd.InvalidXmlError,
    "INVALID_DOCUMENT": qayd.InvalidDocumentError,
    "INVALID_MODEL": qayd.InvalidModelError,
    "INVALID_KEY": qayd.InvalidKeyError,
    "INVALID_CERTIFICATE": qayd.InvalidCertificateError,
    "KEY_MISMATCH": qayd.KeyMismatchError,
    "INVALID_QR": qayd.InvalidQrError,
}
API_CLASSES = {
    "NETWORK": qayd.NetworkError,
    "HTTP": qayd.HttpError,
    "UNAUTHORIZED": qayd.UnauthorizedError,
    "API_REJECTED": qayd.ApiRejectedError,
    "ENVIRONMENT_MISMATCH": qayd.EnvironmentMismatchError,
    "UNEXPECTED_RESPONSE": qayd.UnexpectedResponseError,
}
OTHER_CLASSES = {"STORAGE": qayd.StorageError, "SECRET": qayd.SecretError}
CLASSES = {**INPUT_CLASSES, **API_CLASSES, **OTHER_CLASSES}


def test_every_core_code_has_its_own_class():
    missing = set(qayd.ERROR_CODES) - set(CLASSES)
    assert not missing, f"core codes without a Python class: {missing}"
    assert set(INPUT_CLASSES) <= set(qayd.ERROR_CODES)
    assert len(set(CLASSES.values())) == len(CLASSES)
    for code, cls in CLASSES.items():
        assert cls.code == code
        assert cls.__module__ == "qayd"
        assert issubclass(cls, qayd.QaydError)
        assert getattr(qayd, cls.__name__) is cls
    for cls in INPUT_CLASSES.values():
        assert issubclass(cls, qayd.InvalidInputError) and issubclass(cls, ValueError)
    for cls in API_CLASSES.values():
        assert issubclass(cls, qayd.ApiError) and not issubclass(cls, qayd.InvalidInputError)
    for cls in OTHER_CLASSES.values():
        assert not issubclass(cls, (qayd.ApiError, qayd.InvalidInputError))
    for cls in (qayd.QaydError, qayd.ApiError):
        assert cls.__module__ == "qayd"
        assert not issubclass(cls, ValueError)


@pytest.mark.parametrize("code", sorted(CLASSES))
def test_the_mapping_gives_each_code_its_class(code):
    from qayd._errors import _from_core

    error = _from_core(code, "message", None)
    assert type(error) is CLASSES[code] and error.code == code and str(error) == "message"


def _raises(cls, call, *args, **kwargs):
    with pytest.raises(cls) as info:
        call(*args, **kwargs)
    error = info.value
    assert type(error) is cls, f"{type(error).__name__} raised, {cls.__name__} expected"
    assert error.code == cls.code
    assert str(error)
    return error


def test_invalid_xml():
    _raises(qayd.InvalidXmlError, qayd.invoice_hash, b"<Invoice")
    _raises(qayd.InvalidXmlError, qayd.invoice_hash, (CONFORMANCE / "inputs/doctype.xml").read_bytes())
    _raises(qayd.InvalidXmlError, qayd.invoice_hash, (CONFORMANCE / "inputs/not-utf8.xml").read_bytes())
    _raises(qayd.InvalidXmlError, qayd.verify, b"not xml at all")


def test_invalid_document(signer):
    not_an_invoice = (CONFORMANCE / "inputs/not-an-invoice.xml").read_bytes()
    _raises(qayd.InvalidDocumentError, qayd.invoice_hash, not_an_invoice)
    _raises(qayd.InvalidDocumentError, qayd.verify, not_an_invoice)
    _raises(qayd.InvalidDocumentError, signer.stamp, not_an_invoice, signing_time=SIGNING_TIME)


def test_invalid_key(cert_bytes):
    _raises(qayd.InvalidKeyError, qayd.Signer, cert_bytes, b"not a key")
    _raises(qayd.InvalidKeyError, qayd.Signer, cert_bytes, (KEYS / "p256.pem").read_bytes())
    _raises(qayd.InvalidKeyError, qayd.Signer, cert_bytes, cert_bytes)


def test_invalid_certificate(key_bytes):
    _raises(qayd.InvalidCertificateError, qayd.Signer, b"not a certificate", key_bytes)
    _raises(qayd.InvalidCertificateError, qayd.Signer, (KEYS / "p256-cert.pem").read_bytes(), key_bytes)
    _raises(qayd.InvalidCertificateError, qayd.Certificate, b"")


def test_key_mismatch(cert_bytes):
    _raises(qayd.KeyMismatchError, qayd.Signer, cert_bytes, (KEYS / "other-secp256k1.pem").read_bytes())


def test_invalid_qr():
    _raises(qayd.InvalidQrError, qayd.qr_decode, "not base64!")
    long_text = "x" * 4000  # more than a QR code can carry
    _raises(qayd.InvalidQrError, qayd.qr_svg, long_text)
    _raises(qayd.InvalidQrError, qayd.qr_png, long_text)


def test_invalid_input(signer, simplified):
    error = _raises(qayd.InvalidInputError, signer.stamp, simplified, signing_time="22/07/2025 15:51")
    assert "YYYY-MM-DDTHH:MM:SS" in str(error)


def test_invalid_model_carries_its_rule():
    import json

    model = json.loads((CONFORMANCE.parent.parent / "core/tests/fixtures/models/standard_invoice.json").read_text("utf-8"))
    model["seller"]["vat_number"] = "12345"
    error = _raises(qayd.InvalidModelError, qayd.generate, model)
    assert error.rule == "BR-KSA-40"


def test_catch_all_input_problems_at_once(cert_bytes):
    for call in (lambda: qayd.invoice_hash(b"<x"), lambda: qayd.Signer(cert_bytes, b"x"), lambda: qayd.qr_decode("!")):
        with pytest.raises(qayd.InvalidInputError):
            call()
        with pytest.raises(ValueError):
            call()
        with pytest.raises(qayd.QaydError):
            call()


def test_rule_is_none_elsewhere_and_unknown_codes_stay_qayd_errors():
    from qayd._errors import _from_core

    with pytest.raises(qayd.InvalidXmlError) as info:
        qayd.invoice_hash(b"<x")
    assert info.value.rule is None
    future = _from_core("SOMETHING_NEW", "from a newer core", None)
    assert type(future) is qayd.QaydError and future.code == "SOMETHING_NEW"


def test_errors_pickle_with_code_and_rule():
    with pytest.raises(qayd.QaydError) as info:
        qayd.qr_decode("AQVhYg==")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is qayd.InvalidQrError and again.code == "INVALID_QR" and str(again) == str(info.value)
    from qayd._errors import _from_core

    model = pickle.loads(pickle.dumps(_from_core("INVALID_MODEL", "m", "BR-KSA-40")))
    assert model.rule == "BR-KSA-40" and model.code == "INVALID_MODEL"
