"""Keys, identities, CSRs and sample invoices (no network), and the credentials object."""

import json

import pytest

import qayd
from conftest import CONFORMANCE, CSR_CONFIG, SDK

SDK_KEY = (SDK / "Certificates/ec-secp256k1-priv-key.pem").read_bytes()


def test_identity_from_properties_and_json_agree(identity):
    assert identity["organization_identifier"] == "399999999900003"
    assert identity["invoice_type"] == "1100"
    assert len(identity) == 9
    assert qayd.identity_from_text(json.dumps(identity)) == identity
    assert qayd.identity_from_text(identity) == identity
    assert qayd.identity_from_text(CSR_CONFIG.read_bytes()) == identity


def test_bad_identities_are_typed_errors(identity):
    missing = {k: v for k, v in identity.items() if k != "common_name"}
    with pytest.raises(qayd.InvalidInputError, match="common_name"):
        qayd.identity_from_text(missing)
    with pytest.raises(qayd.InvalidInputError):
        qayd.identity_from_text('{"common_name": ')
    with pytest.raises(qayd.InvalidInputError, match="colour"):
        qayd.identity_from_text({**identity, "colour": "red"})
    with pytest.raises(qayd.InvalidInputError):
        qayd.identity_from_text("csr.common.name=only one line")
    with pytest.raises(TypeError):
        qayd.identity_from_text(42)


def test_generated_keys_are_fresh_and_build_csrs(identity):
    first, second = qayd.generate_private_key_pem(), qayd.generate_private_key_pem()
    assert first.startswith("-----BEGIN EC PRIVATE KEY-----") and first != second
    csr = qayd.build_csr(identity, first, "simulation")
    assert set(csr) == {"pem", "base64"}
    assert csr["pem"].startswith("-----BEGIN CERTIFICATE REQUEST-----")
    import base64

    assert base64.b64decode(csr["base64"]).decode() == csr["pem"]


def test_csr_matches_the_conformance_case_and_is_deterministic(identity):
    case = json.loads((CONFORMANCE / "cases/csr-en-core.json").read_text("utf-8"))
    # The same bytes from a dict identity, from the properties text, and with the key as str.
    assert qayd.build_csr(identity, SDK_KEY, "core") == case["expected"]
    assert qayd.build_csr(CSR_CONFIG.read_text("utf-8"), SDK_KEY.decode(), "core") == case["expected"]
    assert qayd.build_csr(identity, SDK_KEY, "simulation") != case["expected"]


def test_bad_csr_inputs_are_typed_errors(identity):
    with pytest.raises(qayd.InvalidKeyError):
        qayd.build_csr(identity, b"not a key", "core")
    with pytest.raises(qayd.InvalidInputError, match="mars"):
        qayd.build_csr(identity, SDK_KEY, "mars")
    with pytest.raises(qayd.InvalidInputError, match="VAT number") as raised:
        qayd.build_csr({**identity, "organization_identifier": "123"}, SDK_KEY, "core")
    assert raised.value.code == "INVALID_INPUT"
    with pytest.raises(TypeError):
        qayd.build_csr(identity, 12345, "core")
    with pytest.raises(TypeError):
        qayd.build_csr(identity, SDK_KEY, None)


@pytest.mark.parametrize("kind", ["standard", "simplified"])
@pytest.mark.parametrize("document_type", ["invoice", "credit_note", "debit_note", "388"])
def test_sample_invoices_generate_valid_documents(identity, kind, document_type):
    model = qayd.sample_invoice(identity, kind, document_type)
    assert model["seller"]["vat_number"] == identity["organization_identifier"]
    assert model["seller"]["registration_name"] == identity["organization_name"]
    xml = qayd.generate(model)
    report = qayd.validate(xml)
    assert not [f for f in report.findings if f.severity == "error"], report.findings


def test_bad_sample_arguments_are_typed_errors(identity):
    with pytest.raises(qayd.InvalidInputError, match="weird"):
        qayd.sample_invoice(identity, "weird")
    with pytest.raises(qayd.InvalidInputError):
        qayd.sample_invoice(identity, "standard", "receipt")


def test_onboarding_arguments_are_checked_before_any_request(identity):
    with pytest.raises(TypeError, match="callable"):
        qayd.onboard(identity, "123456", "http://127.0.0.1:9", progress=42)
    with pytest.raises(qayd.InvalidInputError, match="mars"):
        qayd.onboard(identity, "123456", "mars")
    with pytest.raises(qayd.InvalidInputError, match="colour"):
        qayd.onboard(identity, "123456", "http://127.0.0.1:9", options={"colour": 1})
    with pytest.raises(qayd.InvalidInputError):
        qayd.onboard(identity, "123456", "http://127.0.0.1:9", options="[1, 2")


def test_an_unreachable_platform_is_a_network_error_without_status(identity):
    # Port 9 (discard) on loopback refuses the connection.
    with pytest.raises(qayd.NetworkError) as raised:
        qayd.onboard(identity, "123456", "http://127.0.0.1:9", options={"connect_timeout_ms": 2000})
    assert raised.value.code == "NETWORK" and raised.value.status is None
    assert isinstance(raised.value, qayd.ApiError)


def test_bad_credentials_json_is_a_typed_error():
    with pytest.raises(qayd.InvalidInputError):
        qayd.Credentials.from_json("{}")
    with pytest.raises(qayd.InvalidInputError):
        qayd.Credentials.from_json(b"\xff\xfe")
    with pytest.raises(TypeError):
        qayd.Credentials.from_json(3.5)
