"""Tests of the value normalisation of the client base (relata.clients.normalize). No database."""

from __future__ import annotations

from collections.abc import Iterator

import phonenumbers
import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from relata.clients.normalize import (
    InvalidValue,
    format_phone,
    matching_name,
    normalize_email,
    normalize_phone,
    normalize_website,
    phone_digits,
    split_phone_extension,
    validate_inn,
    validate_kpp,
    validate_ogrn,
)

DIGITS = "0123456789"


@pytest.fixture(autouse=True, scope="module")
def english_messages() -> Iterator[None]:
    """Messages are asserted in the source language; the Russian translation comes later and must not break this.

    Module scope: Hypothesis refuses function-scoped fixtures around @given tests.
    """
    with translation.override("en"):
        yield


def assert_invalid(func: object, raw: str, code: str, *fragments: str) -> InvalidValue:
    """func(raw) raises InvalidValue with this code, and the message contains every fragment."""
    assert callable(func)
    with pytest.raises(InvalidValue) as info:
        func(raw)
    exc = info.value
    assert exc.code == code
    assert str(exc) == exc.message
    for fragment in fragments:
        assert fragment in str(exc)
    return exc


# --- Check digits, computed here from the published weights (not with stdnum) ----------------------

INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def weighted_check(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def inn10(first9: str) -> str:
    return first9 + weighted_check(first9, INN10_WEIGHTS)


def inn12(first10: str) -> str:
    with_first = first10 + weighted_check(first10, INN12_WEIGHTS_1)
    return with_first + weighted_check(with_first, INN12_WEIGHTS_2)


def ogrn(first12: str) -> str:
    return first12 + str(int(first12) % 11 % 10)


def ogrnip(first14: str) -> str:
    # The last digit of the remainder ("младший разряд"): 10 -> 0, 11 -> 1, 12 -> 2.
    return first14 + str(int(first14) % 13 % 10)


def other_last_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# --- InvalidValue --------------------------------------------------------------------------------


def test_invalid_value_is_a_value_error_with_message_and_code():
    exc = InvalidValue("Something is wrong.", "invalid_phone")
    assert isinstance(exc, ValueError)
    assert str(exc) == exc.message == "Something is wrong."
    assert exc.code == "invalid_phone"
    assert exc.args == ("Something is wrong.",)


# --- Phones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "+79161234567",
        "+7 916 123 45 67",
        "+7 (916) 123-45-67",
        "+7-916-123-45-67",
        "8 (916) 123-45-67",
        "8 916 123-45-67",
        "8(916)1234567",
        "89161234567",
        "9161234567",
        "916 123 45 67",
        "  8 916 123 45 67  ",
        "+7\u00a0916\u00a0123\u201145\u201367",  # no-break spaces and Unicode dashes from a word processor
        "８９１６１２３４５６７",  # full-width digits
        "8 10 7 916 123 45 67",  # the old Russian international prefix
    ],
)
def test_russian_mobile_in_every_typed_format(raw):
    assert normalize_phone(raw) == "+79161234567"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("8 (495) 123-45-67", "+74951234567"),  # Moscow landline
        ("+7 495 123 45 67", "+74951234567"),
        ("495 123-45-67", "+74951234567"),
        ("8 (812) 123-45-67", "+78121234567"),  # St Petersburg
        ("8 (3452) 12-34-56", "+73452123456"),  # Tyumen, a 4-digit area code
        ("8-800-555-35-35", "+78005553535"),  # free phone
        ("8 800 555 35 35", "+78005553535"),
        ("+7 800 555-35-35", "+78005553535"),
    ],
)
def test_russian_landline_and_800_numbers(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+1 (202) 555-0142", "+12025550142"),
        ("+44 20 7946 0958", "+442079460958"),
        ("8 10 44 20 7946 0958", "+442079460958"),  # dialled from Russia
        ("+49 30 901820", "+4930901820"),
        ("+81 3 1234 5678", "+81312345678"),
        ("+375 29 123-45-67", "+375291234567"),  # Belarus
        ("+7 701 123 4567", "+77011234567"),  # Kazakhstan shares +7
    ],
)
def test_foreign_numbers(raw, e164):
    assert normalize_phone(raw) == e164


def test_default_region_reads_numbers_without_plus():
    assert normalize_phone("(202) 555-0142", default_region="US") == "+12025550142"
    assert normalize_phone("020 7946 0958", default_region="gb") == "+442079460958"  # lower case is fine
    assert normalize_phone("+7 916 123-45-67", default_region="US") == "+79161234567"  # "+" wins


@pytest.mark.parametrize(
    ("raw", "number", "extension"),
    [
        ("8 916 123-45-67 доб. 123", "8 916 123-45-67", "123"),
        ("8 916 123-45-67, доб. 123", "8 916 123-45-67", "123"),
        ("8 (495) 123-45-67 добавочный 4", "8 (495) 123-45-67", "4"),
        ("+7 495 123-45-67 вн. 12", "+7 495 123-45-67", "12"),
        ("+7 495 123-45-67 (доб. 45)", "+7 495 123-45-67", "45"),
        ("+1 202 555 0142 ext. 123", "+1 202 555 0142", "123"),
        ("+1 202 555 0142 EXT 123", "+1 202 555 0142", "123"),
        ("+1 202 555 0142 x123", "+1 202 555 0142", "123"),
        ("+1 202 555 0142x123", "+1 202 555 0142", "123"),
        ("+7 495 123-45-67 #7", "+7 495 123-45-67", "7"),
        ("+74951234567;ext=99", "+74951234567", "99"),
        ("8 916 123-45-67", "8 916 123-45-67", ""),
        ("  8 916 123-45-67  ", "8 916 123-45-67", ""),
        ("x123", "x123", ""),  # an extension of nothing is not an extension
        ("", "", ""),
    ],
)
def test_split_phone_extension(raw, number, extension):
    assert split_phone_extension(raw) == (number, extension)


def test_extension_is_kept_out_of_e164():
    assert normalize_phone("8 916 123-45-67 доб. 123") == "+79161234567"
    assert normalize_phone("+1 (202) 555-0142 ext. 9") == "+12025550142"
    assert normalize_phone("+44 20 7946 0958 x12") == "+442079460958"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Enter a phone number"),
        ("   ", "Enter a phone number"),
        ("---", "no digits"),
        ("123", "too short"),
        ("8 916", "too short"),
        ("+7 916 123 45 67 89", "wrong number of digits"),
        ("+7 916 123 45 6", "too short"),
        ("123-45-67", "add the area or operator code"),  # a local number without the area code
        ("+7 916 CALL NOW", "not letters"),  # phonenumbers alone would read the keypad letters
        ("8 916 123-45-6x", "not letters"),
        ("телефон 8 916 123 45 67", "not letters"),
        ("+7 000 000-00-00", "no such numbers"),
        ("+7 100 123-45-67", "no such numbers"),
        ("+999 123 456 789", "known country code"),
        ("1" * 300, "phone number"),
    ],
)
def test_invalid_phones(raw, fragment):
    exc = assert_invalid(normalize_phone, raw, "invalid_phone", fragment)
    assert len(str(exc)) < 300  # a long imported cell is not repeated whole


def test_phone_message_names_the_value():
    assert_invalid(normalize_phone, "+7 000 000-00-00", "invalid_phone", "“+7 000 000-00-00”")


def test_format_phone_both_ways():
    assert format_phone("+79161234567") == "+7 916 123-45-67"
    assert format_phone("+79161234567", international=False) == "8 (916) 123-45-67"
    assert format_phone("+78005553535", international=False) == "8 (800) 555-35-35"
    assert format_phone("+74951234567", international=False) == "8 (495) 123-45-67"
    assert format_phone("+12025550142") == "+1 202-555-0142"
    assert format_phone("+442079460958") == "+44 20 7946 0958"
    assert format_phone("+442079460958", international=False) == "020 7946 0958"


@pytest.mark.parametrize("raw", ["", "garbage", "89161234567", "+", "доб. 5", "+999 1"])
def test_format_phone_never_raises_and_returns_the_unparsable_unchanged(raw):
    assert format_phone(raw) == raw
    assert format_phone(raw, international=False) == raw


@pytest.mark.parametrize("e164", ["+79161234567", "+78005553535", "+12025550142", "+442079460958", "+81312345678"])
def test_formatted_numbers_normalise_back(e164):
    assert normalize_phone(format_phone(e164)) == e164


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("916-12", "91612"),
        ("8916", "8916"),  # a fragment stays as typed
        ("8 (916) 123-45-67", "79161234567"),  # a whole number with the trunk prefix becomes +7
        ("89161234567", "79161234567"),
        ("+7 916 123-45-67", "79161234567"),
        ("9161234567", "9161234567"),
        ("8 800 555 35 35", "78005553535"),
        ("+81 3 1234 5678", "81312345678"),  # typed with "+": 8 is a country code here (Japan)
        ("8 916 123-45-67 доб. 123", "79161234567"),  # the extension is not part of the number
        ("８９１６", "8916"),
        ("abc", ""),
        ("", ""),
    ],
)
def test_phone_digits(raw, digits):
    assert phone_digits(raw) == digits


# --- E-mail --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "email"),
    [
        ("ivan@example.com", "ivan@example.com"),
        ("  Ivan.Petrov@Example.COM \n", "ivan.petrov@example.com"),
        ("SALES+crm@Sub.Example.ru", "sales+crm@sub.example.ru"),
        ("info@пример.рф", "info@пример.рф"),
        ("INFO@ПРИМЕР.РФ", "info@пример.рф"),
        ("info@xn--e1afmkfd.xn--p1ai", "info@xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_normalize_email(raw, email):
    assert normalize_email(raw) == email


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Enter an e-mail address"),
        ("   ", "Enter an e-mail address"),
        ("ivan.example.com", "“@” is missing"),
        ("ivan@", "name@example.com"),
        ("@example.com", "name@example.com"),
        ("ivan@@example.com", "name@example.com"),
        ("ivan petrov@example.com", "name@example.com"),
        ("ivan@example", "name@example.com"),
        ("ivan@example.com.", "name@example.com"),
        ("ivan@localhost", "name@example.com"),
        ("иван@пример.рф", "name@example.com"),  # Django accepts only an ASCII local part
    ],
)
def test_invalid_emails(raw, fragment):
    assert_invalid(normalize_email, raw, "invalid_email", fragment)


# --- INN -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "inn"),
    [
        ("7707083893", "7707083893"),  # Sberbank
        ("7736050003", "7736050003"),  # Gazprom
        ("500100732259", "500100732259"),
        (" 7707 083 893 ", "7707083893"),
        ("7707-083-893", "7707083893"),
        ("７７０７０８３８９３", "7707083893"),  # full-width digits
        (inn10("123456789"), inn10("123456789")),
        (inn12("1234567890"), inn12("1234567890")),
    ],
)
def test_valid_inn(raw, inn):
    assert validate_inn(raw) == inn


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Enter an INN"),
        ("770708389", "10 digits for an organisation or 12"),
        ("77070838931", "10 digits for an organisation or 12"),
        ("5001007322590", "10 digits for an organisation or 12"),
        ("77070838AB", "digits only"),
        ("ИНН7707083893", "digits only"),
        ("7707083894", "check digits do not match"),
        ("500100732258", "check digits do not match"),
        ("500100732269", "check digits do not match"),
    ],
)
def test_invalid_inn(raw, fragment):
    exc = assert_invalid(validate_inn, raw, "invalid_inn", fragment)
    if raw:
        assert f"“{raw}”" in str(exc)


# --- KPP -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kpp"),
    [
        ("773601001", "773601001"),
        ("7736AB001", "7736AB001"),
        ("7736ab001", "7736AB001"),
        ("77360A001", "77360A001"),
        (" 7736 01 001 ", "773601001"),
    ],
)
def test_valid_kpp(raw, kpp):
    assert validate_kpp(raw) == kpp


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Enter a KPP"),
        ("77360100", "9 characters"),
        ("7736010011", "9 characters"),
        ("7736АВ001", "not Cyrillic"),  # Cyrillic А and В
        ("A73601001", "4 digits"),
        ("7736010A1", "4 digits"),
        ("7736A-001", "9 characters"),  # the hyphen is a separator, 8 characters remain
        ("7736A_001", "4 digits"),
        ("7736ıB001", "4 digits"),  # dotless ı upper-cases to Latin I, but is not A-Z
    ],
)
def test_invalid_kpp(raw, fragment):
    assert_invalid(validate_kpp, raw, "invalid_kpp", fragment)


# --- OGRN / OGRNIP -------------------------------------------------------------------------------


def test_valid_ogrn_and_ogrnip():
    assert validate_ogrn("1027700132195") == "1027700132195"  # Sberbank
    assert validate_ogrn("1027700070518") == "1027700070518"  # Gazprom
    assert validate_ogrn(" 1027700132195 ") == "1027700132195"
    computed = ogrnip("30477000000123")
    assert validate_ogrn(computed) == computed
    assert validate_ogrn(ogrn("102770013219")) == "1027700132195"


def test_ogrn_remainder_10_gives_check_digit_0():
    first12 = next(str(n) for n in range(102770000000, 102770001000) if n % 11 == 10)
    assert validate_ogrn(first12 + "0") == first12 + "0"


@pytest.mark.parametrize("remainder", [10, 11, 12])
def test_ogrnip_uses_the_last_digit_of_a_two_digit_remainder(remainder):
    # stdnum.ru.ogrn rejects these numbers, though they follow the published rule.
    first14 = next(str(n) for n in range(30477000000000, 30477000001000) if n % 13 == remainder)
    number = first14 + str(remainder % 10)
    assert validate_ogrn(number) == number


@given(st.text(DIGITS, min_size=12, max_size=12), st.text(DIGITS, min_size=14, max_size=14))
@settings(deadline=None)
def test_ogrn_and_ogrnip_with_computed_check_digits(first12, first14):
    for number in (ogrn(first12), ogrnip(first14)):
        assert validate_ogrn(number) == number
        assert_invalid(validate_ogrn, other_last_digit(number), "invalid_ogrn", "check digit")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Enter an OGRN"),
        ("102770013219", "13 digits"),
        ("10277001321951", "13 digits"),
        ("3047700000012345", "15"),
        ("102770013219X", "digits only"),
        ("1027700132196", "check digit does not match"),
        (other_last_digit(ogrnip("30477000000123")), "check digit does not match"),
    ],
)
def test_invalid_ogrn(raw, fragment):
    assert_invalid(validate_ogrn, raw, "invalid_ogrn", fragment)


# --- Websites ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("example.com", "https://example.com"),
        ("  www.example.com  ", "https://www.example.com"),
        ("http://example.com", "http://example.com"),
        ("https://example.com/about?lang=ru#team", "https://example.com/about?lang=ru#team"),
        ("HTTPS://Example.COM/About", "https://example.com/About"),  # the path keeps its case
        ("example.com:8080/shop", "https://example.com:8080/shop"),
        ("//example.com", "https://example.com"),
        ("пример.рф", "https://пример.рф"),
        ("https://Пример.РФ/каталог", "https://пример.рф/каталог"),
    ],
)
def test_normalize_website(raw, url):
    assert normalize_website(raw) == url


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Enter a website address"),
        ("   ", "Enter a website address"),
        ("ftp://example.com", "only http and https"),
        ("javascript://alert(1)", "only http and https"),
        ("example", "example.com"),
        ("exa mple.com", "example.com"),
        ("http://", "example.com"),
        ("http://[::1", "example.com"),
        ("localhost", "example.com"),
        ("mailto:ivan@example.com", "example.com"),
        ("https://sberbank.ru@evil.example", "example.com"),
        ("tel:+79161234567", "example.com"),
    ],
)
def test_invalid_websites(raw, fragment):
    assert_invalid(normalize_website, raw, "invalid_url", fragment)


# --- Matching names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ООО «Кирпичный Двор»", "кирпичный двор"),
        ('ООО "Кирпичный Двор"', "кирпичный двор"),
        ("Кирпичный двор, ООО", "кирпичный двор"),
        ("ооо  кирпичный   двор", "кирпичный двор"),
        ("Kirpich Dvor, LLC", "kirpich dvor"),
        ("Kirpich Dvor L.L.C.", "kirpich dvor"),
        ("ИП Иванов И.И.", "иванов и и"),
        ("Индивидуальный предприниматель Иванов Иван Иванович", "иванов иван иванович"),
        ("Общество с ограниченной ответственностью «Ромашка»", "ромашка"),
        ('Публичное акционерное общество "Сбербанк России"', "сбербанк россии"),
        ("ПАО Сбербанк", "сбербанк"),
        ("Акционерное общество „Тинькофф Банк“", "тинькофф банк"),
        ("АО ‘Альфа’", "альфа"),
        ("ФГУП «Почта России»", "почта россии"),
        ("АНО «Центр» НКО", "центр"),
        ("ООО ТД «Ёлка»", "тд елка"),
        ("Siemens AG", "siemens"),
        ("Acme Inc.", "acme"),
        ("Acme Corp", "acme"),
        ("Tesco PLC", "tesco"),
        ("Volkswagen GmbH", "volkswagen"),
        ("Nestlé S.A.", "nestlé"),
        ("Smith & Co.", "smith"),
        ("Rolls-Royce Ltd", "rolls royce"),
        ("Ромашка ООО Плюс", "ромашка ооо плюс"),  # only at the start or the end
        ("Заводское Оборудование", "заводское оборудование"),  # "ао"/"ооо" inside words stay
        ("Сергеев А.О.", "сергеев а о"),  # initials are not "АО"
        ("ООО", "ооо"),  # nothing but a legal form: kept
        ("ооо «»", "ооо"),
        ("ЗАО ООО", "зао ооо"),
        ("Limited", "limited"),
        ("«»", ""),
        ("", ""),
        ("1С-Битрикс", "1с битрикс"),
    ],
)
def test_matching_name(name, key):
    assert matching_name(name) == key


def test_matching_name_quotes_of_every_kind_separate_words():
    for quote in "«»\"'„“”‘’":
        assert matching_name(f"ООО{quote}Ромашка{quote}") == "ромашка"


# --- Properties ----------------------------------------------------------------------------------


@given(st.text(DIGITS, min_size=9, max_size=9))
@settings(deadline=None)
def test_every_typed_format_of_a_mobile_gives_one_e164(rest):
    subscriber = "9" + rest
    # A few 9xx ranges are not issued (phonenumbers' metadata knows which); only issued numbers are valid.
    assume(phonenumbers.is_valid_number(phonenumbers.parse("+7" + subscriber)))
    code, a, b, c = subscriber[:3], subscriber[3:6], subscriber[6:8], subscriber[8:]
    typed = [
        "+7" + subscriber,
        "8" + subscriber,
        f"8 ({code}) {a}-{b}-{c}",
        f"+7 {code} {a} {b} {c}",
    ]
    results = {normalize_phone(raw) for raw in typed}
    assert results == {"+7" + subscriber}
    e164 = results.pop()
    assert normalize_phone(format_phone(e164)) == e164
    assert normalize_phone(format_phone(e164, international=False)) == e164
    assert phone_digits(typed[2]) == "7" + subscriber


def phonenumbers_answer(text: str, region: str) -> str | None:
    """What phonenumbers itself makes of a typed number: E.164 if valid, else None."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@given(
    digits=st.one_of(
        st.text(DIGITS, min_size=8, max_size=13),
        # Mostly issued numbers: mobiles and Moscow's 495, after the trunk or country digit.
        st.builds(
            lambda start, rest: start + rest[: 11 - len(start)] if len(start) > 1 else start + rest,
            st.sampled_from(["9", "79", "89", "7495", "8495", "77"]),
            st.text(DIGITS, min_size=9, max_size=9),
        ),
    ),
    style=st.sampled_from(["{d}", "+{d}", "+{a} {b}-{c}", "8 ({a}) {b}-{c}", "{a}.{b}.{c}", "({a}) {b} {c}", "+-{d}"]),
    region=st.sampled_from(["RU", "KZ", "BY", "DE", ""]),
)
@settings(deadline=None, max_examples=400)
def test_the_quick_path_for_plain_numbers_gives_what_phonenumbers_does(digits, style, region):
    """`normalize_phone` takes a short cut for numbers of country code 7 written the common
    ways; it must accept exactly the numbers phonenumbers accepts, as the same E.164."""
    typed = style.format(d=digits, a=digits[:3], b=digits[3:6], c=digits[6:])
    expected = phonenumbers_answer(typed, region or None)
    try:
        got: str | None = normalize_phone(typed, region)
    except InvalidValue:
        got = None
    assert got == expected


@given(st.text())
@settings(deadline=None)
def test_phone_digits_are_only_ascii_digits(text):
    assert set(phone_digits(text)) <= set(DIGITS)


# Names as people type them: Cyrillic and Latin letters of both cases, digits, quotes, punctuation, spaces.
NAME_CHARS = (
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    " \t\u00a0.,;:-–—&/()!?№«»\"'„“”‘’"
)
legal_forms = st.sampled_from(["ООО", "ао", "ИП", "LLC", "Ltd", "gmbh", "Акционерное общество", "Co."])
typed_names = st.one_of(
    st.text(NAME_CHARS),
    st.tuples(legal_forms, st.text(NAME_CHARS), legal_forms).map(" ".join),
)


@given(typed_names)
@settings(deadline=None)
def test_matching_name_is_idempotent_and_case_insensitive(name):
    key = matching_name(name)
    assert matching_name(key) == key
    assert matching_name(name.upper()) == key
    assert matching_name(name.lower()) == key
    assert matching_name(name.swapcase()) == key


# Any Unicode text, combining marks left out: a case mapping can move a mark across another (Greek
# iota subscript), which no key can undo; that is not a text anyone types as a company name.
@given(st.text(st.characters(exclude_categories=("Cs", "Mn", "Mc", "Me"))))
@settings(deadline=None)
def test_matching_name_is_idempotent_and_case_insensitive_for_any_text(name):
    key = matching_name(name)
    assert matching_name(key) == key
    assert matching_name(name.upper()) == key
    assert matching_name(name.lower()) == key


@given(st.text())
@settings(deadline=None)
def test_matching_name_is_idempotent_for_any_text(name):
    key = matching_name(name)
    assert matching_name(key) == key


@given(st.text(DIGITS, min_size=9, max_size=9), st.text(DIGITS, min_size=10, max_size=10))
@settings(deadline=None)
def test_inn_with_computed_check_digits_is_accepted_and_a_changed_last_digit_is_not(first9, first10):
    for inn in (inn10(first9), inn12(first10)):
        assert validate_inn(inn) == inn
        assert_invalid(validate_inn, other_last_digit(inn), "invalid_inn", "check digits")
