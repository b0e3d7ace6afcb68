"""The pure account rules: no database, no application."""
import pytest

from app.accounts import rules
from app.accounts.rules import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

LONG_PHRASE = ("correct horse battery staple " * 10)


@pytest.mark.parametrize("address, key", [
    ("person@example.org", "person@example.org"),
    ("Maria.Pop@Example.ORG", "maria.pop@example.org"),
    ("  MARIA.POP@EXAMPLE.ORG\t", "maria.pop@example.org"),
    ("\nmaria.pop@example.org \n", "maria.pop@example.org"),
    ("Ștefan@Spital.RO", "ștefan@spital.ro"),
])
def test_email_key_trims_and_lowercases(address, key):
    assert rules.email_key(address) == key


def test_email_key_makes_differently_cased_addresses_equal():
    assert rules.email_key("Ana@Example.org") == rules.email_key(" ana@EXAMPLE.org ")
    assert rules.email_key("ana@example.org") != rules.email_key("anna@example.org")


@pytest.mark.parametrize("address", [
    "person@example.org",
    "first.last+tag@sub.example.co.uk",
    "  person@example.org  ",
    "ü@exämple.org",
])
def test_email_problem_accepts_valid_addresses(address):
    assert rules.email_problem(address) is None


@pytest.mark.parametrize("address", [
    "",
    "   ",
    "plainaddress",
    "person@",
    "@example.org",
    "two@@example.org",
    "a b@example.org",
    "a..b@example.org",
    "person@example",
    "person@exa mple.org",
    "<person@example.org>",
])
def test_email_problem_refuses_invalid_addresses(address):
    assert rules.email_problem(address) == "invalid"


@pytest.mark.parametrize("password, problem", [
    ("", "too_short"),
    ("kq7-zv9!w", "too_short"),  # 9 characters
    ("kq7-zv9!wm", None),  # exactly the minimum
    ("ăîșțâ-ĂÎȘȚ", None),  # characters, not bytes, are counted
    (LONG_PHRASE[:MAX_PASSWORD_LENGTH], None),
    (LONG_PHRASE[:MAX_PASSWORD_LENGTH + 1], "too_long"),
    ("x" * 5000, "too_long"),
    ("password123", "common"),
    ("PASSWORD123", "common"),
    ("qwertyuiop", "common"),
    ("1234567890", "common"),
    ("iloveyou12", "common"),
    ("aaaaaaaaaaaa", "common"),  # two or fewer distinct characters
    ("abababababab", "common"),
    ("correct horse battery staple", None),
    ("Tr0ub4dor&3x-salus", None),
])
def test_password_problem(password, problem):
    assert rules.password_problem(password) == problem


def test_password_limits_are_the_contract():
    assert MIN_PASSWORD_LENGTH == 10
    assert rules.password_problem("a1b2c3d4e" + "f") is None
    assert rules.password_problem("a1b2c3d4e") == "too_short"


@pytest.mark.parametrize("password, email, name, problem", [
    ("mariapopescu", "MariaPopescu@example.org", "", "personal"),
    ("MARIAPOPESCU", "mariapopescu@example.org", "", "personal"),
    ("Maria Popescu", "", "  maria popescu ", "personal"),
    ("maria popescu", "someone@example.org", "Maria Popescu", "personal"),
    # Only the password equal to the address's local part or the name counts as personal.
    ("mariapopescu-2026!", "mariapopescu@example.org", "Maria Popescu", None),
    ("a walk in the park", "ana@example.org", "Ana Ionescu", None),
    ("correct horse battery staple", "", "", None),
])
def test_password_problem_personal(password, email, name, problem):
    assert rules.password_problem(password, email=email, name=name) == problem


def test_length_is_checked_before_anything_else():
    # A short personal or common password is reported as too short: the first thing to fix.
    assert rules.password_problem("ana", email="ana@example.org", name="ana") == "too_short"
    assert rules.password_problem("password" * 30) == "too_long"


@pytest.mark.parametrize("organisation, key", [
    (None, ""),
    ("", ""),
    ("   ", ""),
    ("UMF Iași", "umf iași"),
    ("  UMF   Iași  ", "umf iași"),
    ("UMF\tIași\nHospital", "umf iași hospital"),
    ("Spitalul Județean", "spitalul județean"),
    ("STRASSE", "strasse"),
])
def test_organisation_key(organisation, key):
    assert rules.organisation_key(organisation) == key


@pytest.mark.parametrize("a, b", [
    ("City Hall", "city hall"),
    (" City   Hall ", "CITY HALL"),
    ("Straße GmbH", "STRASSE gmbh"),  # casefold, not lower
])
def test_organisation_key_compares_equal(a, b):
    assert rules.organisation_key(a) == rules.organisation_key(b)


@pytest.mark.parametrize("a, b", [
    ("City Hall", "CityHall"),
    ("UMF Iasi", "UMF Iași"),
    ("Hospital A", "Hospital B"),
])
def test_organisation_key_keeps_different_organisations_apart(a, b):
    assert rules.organisation_key(a) != rules.organisation_key(b)
