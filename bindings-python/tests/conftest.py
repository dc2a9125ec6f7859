import pathlib
import re

import pytest

import qayd

REPO = pathlib.Path(__file__).resolve().parents[2]
SDK = REPO / "tests/vectors/sdk-R3.4.8/Data"
CONFORMANCE = REPO / "tests/conformance"
SAMPLES = sorted((SDK / "Samples").rglob("*.xml"))
SIGNING_TIME = "2025-07-22T15:51:28"


def declared_hash(xml: bytes) -> str:
    """The ds:DigestValue of the invoiceSignedData reference, read with a regex (no XML lib)."""
    text = xml.decode("utf-8")
    reference = re.search(r'<ds:Reference Id="invoiceSignedData".*?</ds:Reference>', text, re.S).group(0)
    return re.search(r"<ds:DigestValue>(.*?)</ds:DigestValue>", reference).group(1)


def sample(name: str) -> bytes:
    return next(p for p in SAMPLES if p.name == name).read_bytes()


@pytest.fixture(scope="session")
def cert_bytes() -> bytes:
    return (SDK / "Certificates/cert.pem").read_bytes()


@pytest.fixture(scope="session")
def key_bytes() -> bytes:
    return (SDK / "Certificates/ec-secp256k1-priv-key.pem").read_bytes()


@pytest.fixture(scope="session")
def signer(cert_bytes, key_bytes) -> qayd.Signer:
    return qayd.Signer(cert_bytes, key_bytes)


@pytest.fixture(scope="session")
def simplified() -> bytes:
    return sample("Simplified_Invoice.xml")


@pytest.fixture(scope="session")
def standard() -> bytes:
    return sample("Standard_Invoice.xml")


@pytest.fixture(scope="session")
def stamped(signer, simplified) -> qayd.StampedInvoice:
    return signer.stamp(simplified, signing_time=SIGNING_TIME)
