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


# ---------------------------------------------------------------------------------------------
# The local Fatoora gateway (127.0.0.1 only) and an onboarded unit, shared by the network tests.
# ---------------------------------------------------------------------------------------------

import base64
import json
import os
import secrets
import subprocess
import urllib.request

CSR_CONFIG = SDK / "Input/csr-config-example-EN.properties"
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))


class Gateway:
    """`qayd gateway --port 0` as a child process; `url` is its base URL."""

    def __init__(self):
        binary = TARGET / "debug/qayd"
        assert binary.is_file(), f"{binary} is missing: run `cargo build -p qayd-cli` (test.sh does)"
        self.process = subprocess.Popen(
            [str(binary), "gateway", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.url = self.process.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:"), f"unexpected first line {self.url!r}"

    def fault(self, *faults: dict) -> None:
        """Queues faults (`{"status": 503}`, `{"status": 429, "retry_after": 7}` …)."""
        body = json.dumps(list(faults)).encode()
        request = urllib.request.Request(
            f"{self.url}/__qayd/faults", data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status in (200, 201, 204), answer.status

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def gateway():
    # One per test: the gateway keeps each unit's ICV/PIH chain, as Fatoora does.
    running = Gateway()
    yield running
    running.close()


@pytest.fixture(scope="session")
def identity() -> dict:
    return qayd.identity_from_text(CSR_CONFIG.read_text(encoding="utf-8"))


@pytest.fixture
def credentials(gateway, identity) -> qayd.Credentials:
    return qayd.onboard(identity, "123456", gateway.url)


def new_master_key() -> str:
    """A fresh master key: base64 of 32 random bytes."""
    return base64.b64encode(secrets.token_bytes(32)).decode()
