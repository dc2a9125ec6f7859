import json

import pytest

import qayd
from conftest import REPO, SIGNING_TIME

MODELS = sorted((REPO / "core/tests/fixtures/models").glob("*.json"))


def test_the_example_models_are_there():
    assert len(MODELS) >= 3


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_generated_document_stamps_and_verifies(signer, path):
    xml = qayd.generate(path.read_bytes())
    assert isinstance(xml, bytes) and xml.startswith(b"<?xml")
    stamped = signer.stamp(xml, signing_time=SIGNING_TIME)
    assert stamped.invoice_hash == qayd.invoice_hash(xml)
    report = qayd.verify(stamped.xml)
    assert report.valid, report.failures


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_bytes_str_and_dict_give_the_same_document(path):
    xml = qayd.generate(path.read_bytes())
    assert qayd.generate(path.read_text(encoding="utf-8")) == xml
    assert qayd.generate(json.loads(path.read_text(encoding="utf-8"))) == xml


def _model():
    return json.loads(MODELS[0].read_text(encoding="utf-8"))


def test_a_broken_rule_raises_invalid_model_with_the_rule():
    model = _model()
    model["seller"]["vat_number"] = "12345"
    with pytest.raises(qayd.InvalidModelError) as info:
        qayd.generate(model)
    assert info.value.rule == "BR-KSA-40"
    assert info.value.code == "INVALID_MODEL"
    assert str(info.value).startswith("[BR-KSA-40]")


def test_malformed_json_is_invalid_input():
    for bad in ("{", b"\xff\xfe", json.dumps({**_model(), "no_such_field": 1})):
        with pytest.raises(qayd.InvalidInputError) as info:
            qayd.generate(bad)
        assert type(info.value) is qayd.InvalidInputError and info.value.code == "INVALID_INPUT"


@pytest.mark.parametrize("bad", [None, 5, ["{}"]])
def test_wrong_types_raise_type_error(bad):
    with pytest.raises(TypeError):
        qayd.generate(bad)


def test_decimal_date_and_time_values_give_the_same_document():
    import datetime
    import decimal
    import types

    model = _model()
    xml = qayd.generate(model)
    native = dict(model)
    native["issue_date"] = datetime.date.fromisoformat(model["issue_date"])
    native["issue_time"] = datetime.time.fromisoformat(model["issue_time"])
    native["lines"] = [
        {**line, "quantity": decimal.Decimal(line["quantity"]), "price": decimal.Decimal(line["price"])}
        for line in model["lines"]
    ]
    assert qayd.generate(native) == xml
    # Any mapping, not only a dict (a TypedDict is a dict; a read-only view is a mapping).
    assert qayd.generate(types.MappingProxyType(native)) == xml
    with pytest.raises(ValueError):
        qayd.generate({**native, "lines": [{**model["lines"][0], "price": decimal.Decimal("NaN")}]})
