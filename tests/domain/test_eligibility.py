"""Eligibility: access codes, census files and receipt codes."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pb.domain.eligibility import (
    ALPHABET,
    CODE_LENGTH,
    RECEIPT_LENGTH,
    EligibilityError,
    check_code_shape,
    keyed_hash,
    new_code,
    normalise_check,
    normalise_code,
    normalise_identifier,
    parse_census,
    receipt_code,
    receipt_fingerprint,
    show_code,
)

CONFUSABLE = "01ILOUV"
codes = st.text(alphabet=ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH)
SOME = settings(max_examples=60, deadline=None)


# Codes -------------------------------------------------------------------------------------

def test_the_alphabet_leaves_out_characters_people_confuse() -> None:
    assert not set(ALPHABET) & set(CONFUSABLE + CONFUSABLE.lower())
    assert len(set(ALPHABET)) == len(ALPHABET)
    assert ALPHABET.isalnum() and ALPHABET.upper() == ALPHABET


def test_new_codes_use_only_the_alphabet_and_the_code_length() -> None:
    made = [new_code() for _ in range(300)]
    assert all(len(code) == CODE_LENGTH for code in made)
    assert all(set(code) <= set(ALPHABET) for code in made)
    assert len(set(made)) == len(made)
    # Over 300 codes (3,600 characters) every one of the 29 characters turns up.
    assert set("".join(made)) == set(ALPHABET)
    for code in made[:20]:
        check_code_shape(code)


def test_new_code_draws_each_character_from_the_alphabet() -> None:
    seen: list[str] = []
    letters = itertools.cycle("ZY2")

    def choice(alphabet: str) -> str:
        seen.append(alphabet)
        return next(letters)

    assert new_code(5, choice=choice) == "ZY2ZY"
    assert seen == [ALPHABET] * 5


@pytest.mark.parametrize(("code", "shown"), [
    ("ABCDEFGHJKMN", "ABCD-EFGH-JKMN"),
    ("23456789", "2345-6789"),
    ("ABCDE", "ABCD-E"),
    ("", ""),
])
def test_show_code_groups_in_fours(code: str, shown: str) -> None:
    assert show_code(code) == shown


@SOME
@given(code=codes, data=st.data())
def test_a_code_typed_any_reasonable_way_normalises_to_itself(code: str,
                                                              data: st.DataObject) -> None:
    shown = show_code(code)
    assert shown.count("-") == (CODE_LENGTH - 1) // 4
    assert all(len(group) == 4 for group in shown.split("-"))
    typed = "".join(ch + data.draw(st.sampled_from(["", "", " ", "-", "  ", " - "]))
                    for ch in code)
    if data.draw(st.booleans()):
        typed = typed.lower()
    for text in (code, shown, shown.lower(), f"  {shown}\n", typed, code.lower()):
        assert normalise_code(text) == code
    check_code_shape(normalise_code(typed))


@pytest.mark.parametrize(("typed", "normalised"), [
    ("abcd-efgh-jkmn", "ABCDEFGHJKMN"),
    ("ABCD EFGH JKMN", "ABCDEFGHJKMN"),
    (" abcd - efgh - jkmn ", "ABCDEFGHJKMN"),
    ("0o1il uv", "OOIIIVV"),
    ("", ""),
])
def test_normalise_code_drops_spacing_case_and_maps_confusables(typed: str,
                                                                normalised: str) -> None:
    assert normalise_code(typed) == normalised


@SOME
@given(code=codes, position=st.integers(min_value=0, max_value=CODE_LENGTH - 1),
       wrong=st.sampled_from(CONFUSABLE + CONFUSABLE.lower()))
def test_a_confusable_character_never_makes_a_valid_code(code: str, position: int,
                                                         wrong: str) -> None:
    typed = code[:position] + wrong + code[position + 1:]
    normalised = normalise_code(typed)
    assert normalised != code
    with pytest.raises(EligibilityError):
        check_code_shape(normalised)


@pytest.mark.parametrize("code", ["ABCDEFGHJKM", "ABCDEFGHJKMNP", "", "ABCDEFGHJKM0",
                                  "ABCDEFGHJKMO", "abcdefghjkmn", "ABCD-EFGH-JK"])
def test_check_code_shape_refuses_what_cannot_be_a_code(code: str) -> None:
    with pytest.raises(EligibilityError) as caught:
        check_code_shape(code)
    assert caught.value.field == "code"
    assert f"codes have {CODE_LENGTH} letters and digits" in str(caught.value)


# Census files ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["31/01/1984", "1984-01-31", "31.1.1984", "31-1-1984",
                                   " 31 / 01 / 1984 ", "1984/1/31", "1984.01.31"])
def test_dates_of_birth_written_any_usual_way_are_the_same(typed: str) -> None:
    assert normalise_check("date_of_birth", typed) == "1984-01-31"


@pytest.mark.parametrize("typed", ["31/01", "31011984", "31/01/1984/2", "thirty/01/1984", "",
                                   "31//1984"])
def test_dates_of_birth_that_are_not_dates_are_refused(typed: str) -> None:
    with pytest.raises(EligibilityError, match="day, month and year"):
        normalise_check("date_of_birth", typed)


@pytest.mark.parametrize("typed", ["\u00b2\u00b2/01/1984", "31/01/\u0661\u0669\u0668\u0664",
                                   "\uff13\uff11/01/1984"])
def test_dates_of_birth_in_other_digits_are_refused(typed: str) -> None:
    # str.isdigit() passes "²", which int() then refuses.
    with pytest.raises(EligibilityError, match="day, month and year"):
        normalise_check("date_of_birth", typed)


@pytest.mark.parametrize("typed", ["31/02/1984", "01/31/1984", "0/1/1984", "12/13/1984",
                                   "99999999999999999999/01/1984", "1/" + "9" * 5000 + "/1984"])
def test_impossible_dates_of_birth_are_refused(typed: str) -> None:
    with pytest.raises(EligibilityError):
        normalise_check("date_of_birth", typed)


@pytest.mark.parametrize(("typed", "year"), [("1984", "1984"), (" 1984 ", "1984"),
                                             ("19 84", "1984")])
def test_birth_years_are_four_digits(typed: str, year: str) -> None:
    assert normalise_check("birth_year", typed) == year


@pytest.mark.parametrize("typed", ["84", "19845", "198a", "", "-984", "\u00b2\u00b2\u00b2\u00b2",
                                   "\u0661\u0669\u0668\u0664"])
def test_birth_years_that_are_not_four_digits_are_refused(typed: str) -> None:
    with pytest.raises(EligibilityError, match="four digits, like 1984"):
        normalise_check("birth_year", typed)


@pytest.mark.parametrize("typed", ["NE1 4ST", "ne1 4st", " Ne14sT ", "NE1\t4ST"])
def test_postcodes_ignore_case_and_spaces(typed: str) -> None:
    assert normalise_check("postcode", typed) == "NE14ST"


def test_a_blank_postcode_is_refused() -> None:
    with pytest.raises(EligibilityError, match="second detail"):
        normalise_check("postcode", "   ")


def test_identifiers_ignore_case_and_spaces() -> None:
    assert normalise_identifier("  AB 12\t34 ") == normalise_identifier("ab1234") == "ab1234"


def census_csv(rows: list[list[str]], header: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow(["identifier", "postcode"])
    writer.writerows(rows)
    return out.getvalue()


def test_parse_census_with_and_without_a_header() -> None:
    body = "A 1,ne1 4st\r\n\r\nb2 ,NE2 5TT\n"
    expected = [("a1", "NE14ST"), ("b2", "NE25TT")]
    assert parse_census(body, "postcode", header=False) == expected
    assert parse_census("voter,postcode\n" + body, "postcode", header=True) == expected
    # Without the header flag, the header line is read as a person.
    assert parse_census("voter,postcode\n" + body, "postcode", header=False)[0] == \
        ("voter", "POSTCODE")


def test_census_dates_are_compared_in_one_form() -> None:
    text = "p1,31/01/1984\np2,1984-01-31\np3,31.1.1984\n"
    assert {check for _, check in parse_census(text, "date_of_birth", header=False)} == \
        {"1984-01-31"}
    assert parse_census("id,year\np1, 1984 \n", "birth_year", header=True) == [("p1", "1984")]


identifiers = st.text(alphabet="abcdefghjk0123456789", min_size=1, max_size=8)
postcodes = st.text(alphabet="ABCDEN0123456789", min_size=1, max_size=7)


@SOME
@given(people=st.dictionaries(identifiers, postcodes, min_size=1, max_size=20),
       header=st.booleans(), data=st.data())
def test_parse_census_reads_back_what_was_written(people: dict[str, str], header: bool,
                                                  data: st.DataObject) -> None:
    rows = [[data.draw(st.sampled_from([ident, ident.upper(), f" {ident} "])),
             data.draw(st.sampled_from([post, post.lower(), f"{post[:2]} {post[2:]}"]))]
            for ident, post in people.items()]
    assert parse_census(census_csv(rows, header), "postcode", header=header) == \
        list(people.items())


@SOME
@given(people=st.lists(identifiers, min_size=2, max_size=12, unique=True), header=st.booleans(),
       data=st.data())
def test_a_person_listed_twice_names_both_lines(people: list[str], header: bool,
                                                data: st.DataObject) -> None:
    first = data.draw(st.integers(min_value=0, max_value=len(people) - 1))
    second = data.draw(st.integers(min_value=first + 1, max_value=len(people)))
    rows = [[ident, "NE1"] for ident in people]
    rows.insert(second, [f" {people[first].upper()} ", "NE9"])  # same person, typed otherwise
    offset = 2 if header else 1  # line numbers count from 1, and the header is line 1
    with pytest.raises(EligibilityError) as caught:
        parse_census(census_csv(rows, header), "postcode", header=header)
    assert str(caught.value) == (f"Lines {first + offset} and {second + offset} have the same "
                                 "identifier; each person may be listed once.")
    assert caught.value.field == "file"


@pytest.mark.parametrize(("text", "header", "message"), [
    ("a1,NE1\nb2\n", False, "Line 2 has 1 columns"),
    ("id,pc\na1,NE1\nb2,NE2,extra\n", True, "Line 3 has 3 columns"),
    ("a1,NE1;b2,NE2\n", False, "Line 1 has 3 columns"),
    ("a1;NE1\n", False, "Line 1 has 1 columns"),
    ("a1,NE1\n ,NE2\n", False, "Line 2 has no identifier."),
    ("id,pc\na1,NE1\nb2,  \n", True, "Line 3: Fill in the second detail too."),
])
def test_bad_census_lines_are_named(text: str, header: bool, message: str) -> None:
    with pytest.raises(EligibilityError) as caught:
        parse_census(text, "postcode", header=header)
    assert str(caught.value).startswith(message)
    assert caught.value.field == "file"


def test_a_bad_detail_names_its_line_and_says_what_is_wrong() -> None:
    with pytest.raises(EligibilityError) as caught:
        parse_census("id,year\na1,1984\nb2,84\n", "birth_year", header=True)
    assert str(caught.value) == "Line 3: Give the year of birth as four digits, like 1984."
    with pytest.raises(EligibilityError, match="^Line 1: Give the date of birth"):
        parse_census("a1,1984\n", "date_of_birth", header=False)


@pytest.mark.parametrize(("text", "header"), [
    ("", False), ("", True), ("\n\n \n", False), ("identifier,postcode\n", True),
    ("identifier,postcode\n,\n\n", True),
])
def test_a_census_listing_nobody_is_refused(text: str, header: bool) -> None:
    with pytest.raises(EligibilityError, match="The file lists nobody"):
        parse_census(text, "postcode", header=header)


def test_line_numbers_count_lines_after_a_quoted_line_break() -> None:
    text = 'a1,"NE1\n4ST"\nb2,NE2,extra\n'
    with pytest.raises(EligibilityError, match="^Line 3 has 3 columns"):
        parse_census(text, "postcode", header=False)


# Receipts and keyed hashes -----------------------------------------------------------------

@SOME
@given(round_id=st.integers(min_value=1, max_value=10**6),
       voter=st.from_regex(r"(user|code|census):[0-9]{1,6}", fullmatch=True),
       key=st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True))
def test_receipt_codes_are_deterministic_and_look_like_codes(round_id: int, voter: str,
                                                             key: str) -> None:
    receipt = receipt_code(b"secret", round_id, voter, key)
    assert receipt == receipt_code(b"secret", round_id, voter, key)
    assert len(receipt) == RECEIPT_LENGTH and set(receipt) <= set(ALPHABET)
    assert normalise_code(show_code(receipt).lower()) == receipt
    # Any one input changed gives another receipt.
    others = {receipt_code(b"secret2", round_id, voter, key),
              receipt_code(b"secret", round_id + 1, voter, key),
              receipt_code(b"secret", round_id, voter + "0", key),
              receipt_code(b"secret", round_id, voter, key + "x"),
              receipt_code(b"secret", round_id, voter, key[:-1])}
    assert receipt not in others and len(others) == 5


@settings(max_examples=30, deadline=None)
@given(inputs=st.lists(st.tuples(st.integers(min_value=1, max_value=50),
                                 st.sampled_from(["user:1", "user:2", "code:1", "census:7"]),
                                 st.from_regex(r"[a-z0-9]{8,12}", fullmatch=True)),
                       min_size=2, max_size=30, unique=True))
def test_different_submissions_get_different_receipts(
        inputs: list[tuple[int, str, str]]) -> None:
    receipts = [receipt_code(b"k", *args) for args in inputs]
    assert len(set(receipts)) == len(inputs)


@SOME
@given(code=st.text(alphabet=ALPHABET, min_size=RECEIPT_LENGTH, max_size=RECEIPT_LENGTH))
def test_a_receipt_fingerprint_is_the_sha256_of_the_normalised_code(code: str) -> None:
    expected = hashlib.sha256(code.encode()).hexdigest()
    assert receipt_fingerprint(code) == expected
    assert receipt_fingerprint(show_code(code)) == expected
    assert receipt_fingerprint(f" {show_code(code).lower()} ") == expected


def test_receipt_fingerprints_differ_between_codes() -> None:
    assert receipt_fingerprint("ABCDEFGHJKMN") != receipt_fingerprint("ABCDEFGHJKMP")


def test_keyed_hashes_depend_on_key_purpose_and_value() -> None:
    base = keyed_hash(b"key", "code", "ABCDEFGHJKMN")
    assert len(base) == 64 and int(base, 16) >= 0
    assert base == keyed_hash(b"key", "code", "ABCDEFGHJKMN")
    assert base != keyed_hash(b"other", "code", "ABCDEFGHJKMN")
    assert base != keyed_hash(b"key", "census-id", "ABCDEFGHJKMN")
    assert base != keyed_hash(b"key", "code", "ABCDEFGHJKMP")
    # The purpose and value are separated, so they cannot slide into each other.
    assert keyed_hash(b"key", "code", "x") != keyed_hash(b"key", "codex", "")
