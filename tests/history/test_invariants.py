"""The built-in invariants: each holds, each is violated with telling witnesses, each says
when it had nothing to check, and witnesses are capped while the message keeps the total."""

import pytest

from stormproof.history import (
    MAX_WITNESSES,
    History,
    Verdict,
    acknowledged_ids,
    bounded,
    conservation,
    no_duplicate_effects,
    no_lost_writes,
    saga_atomicity,
)
from tests.history.build import history
from tests.history.checking import judge as judged

EMPTY = History([])


def judge(invariant, final, h=EMPTY):
    return judged(invariant, h, final)


def balances(final):
    return final["accounts"]


# conservation


def test_conservation_holds_within_tolerance():
    money = conservation("money", balances, 6500.0, tolerance=0.01)
    final = {"accounts": {"a": 3000.1, "b": 3499.899}}
    assert judge(money, final) == Verdict(
        "money", True, "total conserved: 6500.00", counts={"parts": 2}
    )


def test_conservation_violated_names_expected_found_and_difference():
    verdict = judge(conservation("money", balances, 6500), {"accounts": {"a": 3000, "b": 3350}})
    assert verdict.valid is False
    assert verdict.message == "total not conserved: expected 6500.00, found 6350.00 (-150.00)"
    assert verdict.witnesses == (
        {"expected": 6500, "found": 6350.0, "difference": -150.0, "parts": {"a": 3000, "b": 3350}},
    )
    assert verdict.counts == {"parts": 2}


def test_conservation_shows_a_small_difference_instead_of_zero():
    verdict = judge(conservation("stock", balances, 10.0), {"accounts": {"a": 10.001}})
    assert verdict.message == "total not conserved: expected 10.00, found 10.00 (+0.001)"


def test_conservation_adds_floats_exactly():
    parts = {"accounts": {str(i): 0.1 for i in range(10)}}
    assert judge(conservation("money", balances, 1.0, tolerance=0), parts).valid is True


def test_no_parts_is_a_total_of_zero():
    money = conservation("money", balances, 100.0)
    verdict = judge(money, {"accounts": {}})
    assert verdict.valid is False
    assert (
        verdict.message == "total not conserved: expected 100.00, found 0.00 in no parts (-100.00)"
    )
    assert verdict.counts == {"parts": 0}
    assert judge(conservation("debt", balances, 0.0), {"accounts": {}}).message == (
        "total conserved: 0.00 in no parts"
    )


# saga_atomicity


def sagas(final):
    return final


def test_sagas_all_or_nothing_hold():
    final = {"t-1": {"flight": True, "hotel": True}, "t-2": {"flight": False, "hotel": False}}
    verdict = judge(saga_atomicity("trips", sagas), final)
    assert verdict == Verdict(
        "trips",
        True,
        "2 sagas, each done in full or not at all",
        counts={"sagas": 2, "half_done": 0},
    )


def test_half_done_sagas_are_witnessed_in_input_order():
    final = {
        "t-1": {"flight": True, "hotel": True, "car": True},
        "t-2": {"flight": True, "hotel": False, "car": False},
        "t-3": {"flight": False, "hotel": False, "car": False},
        "t-4": {"flight": False, "hotel": True, "car": True},
    }
    verdict = judge(saga_atomicity("trips", sagas), final)
    assert verdict.valid is False
    assert verdict.message == "2 of 4 sagas half done"
    assert verdict.counts == {"sagas": 4, "half_done": 2}
    assert verdict.witnesses == (
        {"id": "t-2", "done": ["flight"], "missing": ["hotel", "car"]},
        {"id": "t-4", "done": ["hotel", "car"], "missing": ["flight"]},
    )


def test_no_sagas_is_valid_and_says_so():
    assert judge(saga_atomicity("trips", sagas), {}) == Verdict(
        "trips", True, "no sagas to check", counts={"sagas": 0, "half_done": 0}
    )


# no_lost_writes and acknowledged_ids

WRITES = history(
    ("invoke", 0, "book", {"trip": "t-1"}),
    ("invoke", 1, "book", {"trip": "t-2"}),
    ("ok", 1, "book", {"booking": "b-2"}),
    ("ok", 0, "book", {"booking": "b-1"}),
    ("invoke", 0, "book", {"trip": "t-3"}),
    ("fail", 0, "book", None),
    ("invoke", 2, "read", None),
    ("ok", 2, "read", {"booking": "b-7"}),
    ("invoke", 0, "book", {"trip": "t-4", "booking": "b-4"}),
    ("ok", 0, "book", {"status": "created"}),
)


def test_acknowledged_ids_reads_ok_values_of_one_function():
    # b-7 was read, not written; the failed book acknowledged nothing; b-4 was chosen by
    # the client, so its id is in the invoke.
    assert acknowledged_ids("book", "booking")(WRITES) == {"b-2": 2, "b-1": 3, "b-4": 9}


def test_acknowledged_ids_refuses_to_skip_an_ok_without_the_key():
    verdict = judge(
        no_lost_writes("bookings", acknowledged_ids("book", "trip_id"), list), [], WRITES
    )
    assert verdict == Verdict(
        "bookings",
        "unknown",
        "ValueError: ok op 2 ('book') has no 'trip_id' in its value or its invoke's",
    )


def test_acknowledged_ids_keeps_the_first_acknowledgement():
    h = history(
        ("invoke", 0, "put", {"id": "k"}),
        ("invoke", 1, "put", {"id": "k"}),
        ("ok", 1, "put", {"id": "k"}),
        ("ok", 0, "put", {"id": "k"}),
    )
    assert acknowledged_ids("put", "id")(h) == {"k": 2}


def test_no_lost_writes_holds_when_every_acknowledged_id_is_present():
    lost = no_lost_writes("bookings", acknowledged_ids("book", "booking"), set)
    verdict = judge(lost, ["b-1", "b-2", "b-4", "b-extra"], WRITES)
    assert verdict == Verdict(
        "bookings",
        True,
        "3 acknowledged writes, all present",
        counts={"acknowledged": 3, "lost": 0},
    )


def test_lost_writes_name_the_id_and_the_acknowledging_op():
    lost = no_lost_writes("bookings", acknowledged_ids("book", "booking"), set)
    verdict = judge(lost, ["b-2"], WRITES)
    assert verdict.valid is False
    assert verdict.message == "2 of 3 acknowledged writes lost"
    assert verdict.counts == {"acknowledged": 3, "lost": 2}
    assert verdict.witnesses == ({"id": "b-1", "ops": [3]}, {"id": "b-4", "ops": [9]})
    # The witness leads a reader to the ops that tell the story of that id.
    assert [op.index for op in WRITES.mentioning(verdict.witnesses[0]["id"])] == [3]


def test_lost_writes_come_earliest_acknowledged_first():
    lost = no_lost_writes("w", lambda h: {"late": 9, "early": 2, "mid": 5}, lambda final: [])
    assert [w["id"] for w in judge(lost, None).witnesses] == ["early", "mid", "late"]


def test_no_acknowledged_writes_is_valid_and_says_so():
    lost = no_lost_writes("bookings", acknowledged_ids("book", "booking"), set)
    assert judge(lost, []) == Verdict(
        "bookings", True, "no acknowledged writes to check", counts={"acknowledged": 0, "lost": 0}
    )


def test_present_returning_a_string_is_a_mistake_not_a_set_of_letters():
    lost = no_lost_writes("w", lambda h: {"a": 0}, lambda final: "abc")
    verdict = judge(lost, None)
    assert verdict.valid == "unknown"
    assert verdict.message == "TypeError: present must return a collection of ids, not a string"


# no_duplicate_effects


def charges(final):
    return [charge["request"] for charge in final]


def test_each_request_applied_once_holds():
    verdict = judge(
        no_duplicate_effects("charges", charges), [{"request": "r1"}, {"request": "r2"}]
    )
    assert verdict == Verdict(
        "charges",
        True,
        "2 request ids, each applied once",
        counts={"effects": 2, "request_ids": 2, "duplicated": 0},
    )


def test_duplicates_are_witnessed_most_repeated_first():
    final = [{"request": r} for r in ["r1", "r2", "r2", "r3", "r4", "r4", "r4", "r2", "r2"]]
    verdict = judge(no_duplicate_effects("charges", charges), final)
    assert verdict.valid is False
    assert verdict.message == "2 of 4 request ids applied more than once"
    assert verdict.counts == {"effects": 9, "request_ids": 4, "duplicated": 2}
    assert verdict.witnesses == ({"id": "r2", "count": 4}, {"id": "r4", "count": 3})


def test_no_effects_is_valid_and_says_so():
    verdict = judge(no_duplicate_effects("charges", charges), [])
    assert verdict == Verdict(
        "charges",
        True,
        "no effects to check",
        counts={"effects": 0, "request_ids": 0, "duplicated": 0},
    )


# bounded


def seats(final):
    return [(flight, row["sold"], row["seats"]) for flight, row in final.items()]


def test_resources_within_bounds_hold():
    final = {"f-1": {"sold": 0, "seats": 3}, "f-2": {"sold": 3, "seats": 3}}
    assert judge(bounded("seats", seats), final) == Verdict(
        "seats", True, "2 resources within bounds", counts={"resources": 2, "out_of_bounds": 0}
    )


def test_out_of_bounds_resources_come_furthest_first():
    final = {
        "f-1": {"sold": 4, "seats": 3},
        "f-2": {"sold": 2, "seats": 3},
        "f-3": {"sold": -5, "seats": 3},
        "f-4": {"sold": 1.5, "seats": 1},
        "f-5": {"sold": float("nan"), "seats": 1},
    }
    verdict = judge(bounded("seats", seats), final)
    assert verdict.valid is False
    assert verdict.message == "4 of 5 resources out of bounds"
    assert verdict.counts == {"resources": 5, "out_of_bounds": 4}
    assert [w["resource"] for w in verdict.witnesses] == ["f-5", "f-3", "f-1", "f-4"]
    assert verdict.witnesses[2] == {"resource": "f-1", "used": 4, "capacity": 3}


def test_no_resources_is_valid_and_says_so():
    assert judge(bounded("seats", seats), {}) == Verdict(
        "seats", True, "no resources to check", counts={"resources": 0, "out_of_bounds": 0}
    )


def test_a_malformed_resource_row_is_unknown():
    verdict = judge(bounded("seats", lambda final: [("f-1", 3)]), None)
    assert verdict.valid == "unknown"
    assert verdict.message.startswith("ValueError: not enough values to unpack")


# witnesses are capped, the count is not

MANY = 25


@pytest.mark.parametrize(
    ("invariant", "final", "message", "broken"),
    [
        (
            saga_atomicity("trips", sagas),
            {f"t-{i}": {"a": True, "b": False} for i in range(MANY)},
            f"{MANY} of {MANY} sagas half done",
            "half_done",
        ),
        (
            no_lost_writes("w", lambda h: {f"k-{i}": i for i in range(MANY)}, lambda final: ()),
            None,
            f"{MANY} of {MANY} acknowledged writes lost",
            "lost",
        ),
        (
            no_duplicate_effects("charges", lambda final: final),
            [f"r-{i}" for i in range(MANY)] * 2,
            f"{MANY} of {MANY} request ids applied more than once",
            "duplicated",
        ),
        (
            bounded("seats", lambda final: final),
            [(f"f-{i}", i + 2, 1) for i in range(MANY)],
            f"{MANY} of {MANY} resources out of bounds",
            "out_of_bounds",
        ),
    ],
    ids=["sagas", "writes", "effects", "bounded"],
)
def test_witnesses_are_capped_but_the_message_and_counts_say_all(invariant, final, message, broken):
    verdict = judge(invariant, final)
    assert verdict.message == message
    assert len(verdict.witnesses) == MAX_WITNESSES
    assert verdict.counts[broken] == MANY
