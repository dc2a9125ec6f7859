import base64
import hashlib

import pytest

import qayd
from conftest import SAMPLES, declared_hash


def test_all_sdk_samples_are_present():
    assert len(SAMPLES) == 19


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_hash_of_sdk_sample_equals_its_digest_value(path):
    xml = path.read_bytes()
    assert qayd.invoice_hash(xml) == declared_hash(xml)


def test_str_bytearray_and_bytes_give_the_same_hash(simplified):
    expected = qayd.invoice_hash(simplified)
    assert qayd.invoice_hash(simplified.decode("utf-8")) == expected
    assert qayd.invoice_hash(bytearray(simplified)) == expected


def test_genesis_pih_and_version():
    assert qayd.GENESIS_PIH == base64.b64encode(hashlib.sha256(b"0").hexdigest().encode()).decode()
    assert isinstance(qayd.__version__, str) and qayd.__version__.count(".") == 2


@pytest.mark.parametrize("bad", [None, 42, 1.5, ["<Invoice/>"], object()])
def test_wrong_types_raise_type_error(bad):
    with pytest.raises(TypeError, match="xml must be bytes"):
        qayd.invoice_hash(bad)
