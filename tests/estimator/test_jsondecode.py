"""Decoding a client's JSON: where a number too big to read is."""

from __future__ import annotations

import msgspec
import pytest

from estimator.jsondecode import BOM, decode, out_of_range_at


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b'{"a": 1, "b": 1e400}', "$.b"),
        (b'{"a": -1e400}', "$.a"),
        (b'[{"a": 1}, {"b": [1, 2, 1e999]}]', "$[1].b[2]"),
        (b'{"n": ' + b"9" * 5000 + b"}", "$.n"),  # more digits than an integer may have (4,300)
        (b'{"n": -' + b"9" * 5000 + b"}", "$.n"),
        (b'{"big": 100000000000000000000000000, "n": 1e400}', "$.n"),  # a big integer reads fine
        (b'{"a": 1e400, "a": 2}', "$.a"),  # a key given twice keeps the spoilt value
        (BOM + b'{"a": 1e400}', "$.a"),
    ],
)
def test_a_number_too_big_to_read_is_found_where_it_is(data: bytes, where: str) -> None:
    assert out_of_range_at(data) == where


@pytest.mark.parametrize(
    "data",
    [b'{"a": 1e308, "b": 18446744073709551616, "c": -' + b"9" * 4300 + b"}", b"{not json", b"[1, 2"],
)
def test_nothing_is_out_of_range_in_readable_numbers_or_in_what_is_not_json(data: bytes) -> None:
    assert out_of_range_at(data) is None


def test_decode_says_where_the_number_is() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"Number out of range - at `\$\[1\]\.claimed_economic_loss`"):
        decode(b'[{}, {"claimed_economic_loss": 1e400}]')


@pytest.mark.parametrize("data", [b'{"id": "\\ud800"}', b'{"id": "\\uDBFFx"}', b'["\\ud83d"]'])
def test_a_lone_surrogate_is_not_called_a_truncated_input(data: bytes) -> None:
    with pytest.raises(msgspec.DecodeError, match="half of a surrogate pair") as raised:
        decode(data)
    assert "truncated" not in str(raised.value)


@pytest.mark.parametrize("data", [b'{"id": "abc', b'{"id": "\\ud83d\\ude00'])
def test_an_input_cut_short_is_still_called_so(data: bytes) -> None:
    with pytest.raises(msgspec.DecodeError, match="truncated"):
        decode(data)


def test_a_surrogate_pair_is_one_character() -> None:
    assert decode(b'{"id": "\\ud83d\\ude00"}') == {"id": "\N{GRINNING FACE}"}
