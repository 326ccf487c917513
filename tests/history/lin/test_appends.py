"""The fast path for append-only kv keys (``stormproof.history.lin.appends``) against the
general search and the brute force: the same verdict on every key it takes, and on every
prefix of it; the same failing op in its own witness; exactly the general witness where the
general search can still build one; and hand-made histories, one anomaly each."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from stormproof.history import History, Op, read_history
from stormproof.history.lin import check_linearizable
from stormproof.history.lin.append_witness import append_witness, explained
from stormproof.history.lin.appends import AppendKey, append_key
from stormproof.history.lin.explain import explain
from stormproof.history.lin.invariant import linearizable
from stormproof.history.lin.models import INCONSISTENT, model_named
from stormproof.history.lin.problem import Problem, problems
from stormproof.history.lin.result import LinResult
from stormproof.history.lin.search import Search
from stormproof.history.lin.witness import witness
from tests.history.lin.append_strategies import append_histories
from tests.history.lin.brute import brute_linearizable
from tests.history.lin.slow import crowded_appends
from tests.history.lin.test_crosscheck import parse, shown

KV = model_named("kv")
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
DATA = Path(__file__).parents[2] / "data" / "kv"
SHORT: dict[str, Any] = {"max_ops": 7, "max_processes": 4, "keys": ("x", "y")}
"""Small enough for the brute force; two keys, to check them apart."""
LONG: dict[str, Any] = {"max_ops": 16, "max_processes": 6}
"""One key, with more ops pending at once."""


def keys_of(h: History) -> list[tuple[Problem, AppendKey | None]]:
    return [(part, append_key(h, KV, part)) for part in problems(h, KV)]


def general(part: Problem, cut: int | None = None) -> bool:
    """The general search's verdict on ``part``, or on its first ``cut`` events."""
    if cut is not None:
        part = dataclasses.replace(part, events=part.events[:cut])
    return Search(part, None).run().linearizable


def returns(part: Problem) -> list[int]:
    return [position for position, (is_return, _) in enumerate(part.events) if is_return]


@SETTINGS
@given(data=st.data())
def test_the_verdict_is_the_general_search_s_and_the_brute_force_s(data: st.DataObject) -> None:
    h = data.draw(append_histories(**SHORT), label="history")
    note(shown(h))
    for part, key in keys_of(h):
        if key is not None:
            assert key.judge().linearizable is general(part)
    assert check_linearizable(h, "kv").valid is brute_linearizable(h, "kv")


@SETTINGS
@given(data=st.data())
def test_every_prefix_gets_the_general_search_s_verdict(data: st.DataObject) -> None:
    """What the witness's bisection relies on: the verdict on each prefix (through each
    return) is exact too, on longer histories with more ops pending at once."""
    h = data.draw(append_histories(**LONG), label="history")
    note(shown(h))
    for part, key in keys_of(h):
        if key is not None:
            for position in returns(part):
                assert key.judge(position + 1).linearizable is general(part, position + 1)


@SETTINGS
@given(data=st.data())
def test_its_own_witness_names_the_op_the_general_search_names(data: st.DataObject) -> None:
    h = data.draw(append_histories(**LONG), label="history")
    note(shown(h))
    for part, key in keys_of(h):
        if key is None or key.judge().linearizable:
            continue
        search = Search(part, None)
        expected = witness(h, KV, search, search.run())
        found = explained(h, key)
        for field in ("key", "op", "prefix", "prefix_line", "concurrent"):
            assert found[field] == expected[field], field
        assert found["why"] and found["complete"] is False
        assert_linearizes(h, part, found)
        assert explain_text(found)
        # Small enough for the general search: the witness is the general one, unchanged.
        assert append_witness(h, KV, key, None)[0] == expected


def assert_linearizes(h: History, part: Problem, found: dict[str, Any]) -> None:
    """``found["linearization"]`` is one: every op that returned before the failing one is
    in it, no op in it completed after a later one was invoked, and the model accepts it."""
    step_of = {invoke: step for step, invoke in enumerate(part.invokes)}
    order = [step_of[op["index"]] for op in found["linearization"]]
    returned = {step for step, done in enumerate(part.completions) if done is not None}
    cut = found["prefix"]
    must = {step for step in returned if part.completions[step] < cut}  # type: ignore[operator]
    assert must <= set(order)
    assert all(part.invokes[step] < cut for step in order)
    for i, earlier in enumerate(order):
        for later in order[i + 1 :]:
            done = part.completions[later]
            assert done is None or done >= cut or done > part.invokes[earlier]
    state = part.initial
    for step in order:
        state = part.steps[step].apply(state)
        assert state is not INCONSISTENT


def explain_text(found: dict[str, Any]) -> str:
    return "\n".join(explain(LinResult("kv", False, 1, 1, 0.0, 0, found)))


@pytest.mark.parametrize("size", [SHORT, LONG], ids=["short", "long"])
def test_drawn_histories_have_both_verdicts_and_the_fast_path_takes_most_keys(
    size: dict[str, Any],
) -> None:
    # Otherwise the cross-checks could pass by having nothing to disagree about.
    verdicts: Counter[bool] = Counter()
    taken: Counter[bool] = Counter()

    @settings(max_examples=200, deadline=None, derandomize=True, database=None)
    @given(append_histories(**size))
    def sample(h: History) -> None:
        keys = keys_of(h)
        taken.update(key is not None for _, key in keys)
        verdicts[all(general(part) for part, _ in keys)] += 1

    sample()
    assert min(verdicts[True], verdicts[False]) >= sum(verdicts.values()) // 5, verdicts
    assert taken[True] >= 4 * taken[False], taken
    if size is LONG:  # strings that split two ways, for the general search
        assert taken[False] >= 5, taken


# history ("PROCESS TYPE F [VALUE]" events, as in test_crosscheck; all on one key),
# linearizable?, the fast path takes it?
CASES: dict[str, tuple[str, bool, bool]] = {
    "appends seen in the order they took effect": (
        '0 invoke append "a"; 0 ok append "a"; 1 invoke append "b"; 1 ok append "b"; '
        '2 invoke get; 2 ok get "ab"',
        True,
        True,
    ),
    "concurrent appends seen in either order": (
        '0 invoke append "a"; 1 invoke append "b"; 0 ok append "a"; 1 ok append "b"; '
        '2 invoke get; 2 ok get "ba"',
        True,
        True,
    ),
    "lost append: completed, then never seen": (
        '0 invoke append "a"; 0 ok append "a"; 1 invoke append "b"; 1 ok append "b"; '
        '2 invoke get; 2 ok get "b"',
        False,
        True,
    ),
    "an ok append no get saw takes effect after every get": (
        '0 invoke append "a"; 1 invoke get; 1 ok get ""; 0 ok append "a"',
        True,
        True,
    ),
    "two gets see concurrent appends in other orders": (
        '0 invoke append "a"; 1 invoke append "b"; 0 ok append "a"; 1 ok append "b"; '
        '2 invoke get; 2 ok get "ab"; 3 invoke get; 3 ok get "ba"',
        False,
        True,
    ),
    "a get sees an append not invoked yet": (
        '0 invoke get; 0 ok get "a"; 1 invoke append "a"; 1 ok append "a"',
        False,
        True,
    ),
    "a get sees an append that failed": (
        '0 invoke append "a"; 0 fail append "a"; 1 invoke get; 1 ok get "a"',
        False,
        True,
    ),
    "a failed append's value made of appends that happened": (
        '0 invoke append "ab"; 0 fail append "ab"; 1 invoke append "a"; 1 ok append "a"; '
        '1 invoke append "b"; 1 ok append "b"; 2 invoke get; 2 ok get "ab"',
        True,
        True,
    ),
    "stale get after a get that saw more": (
        '0 invoke append "a"; 0 ok append "a"; 1 invoke get; 1 ok get "a"; 2 invoke get; '
        '2 ok get ""',
        False,
        True,
    ),
    "a get concurrent with the first sees less than an earlier one": (
        '0 invoke append "a"; 1 invoke get; 1 ok get "a"; 2 invoke get; 2 ok get ""; '
        '0 ok append "a"',
        False,
        True,
    ),
    "an info append that a get saw happened, before that get": (
        '0 invoke append "a"; 0 info append "a"; 1 invoke get; 1 ok get "a"; 1 invoke get; '
        '1 ok get "a"',
        True,
        True,
    ),
    "once seen, an info append stays seen": (
        '0 invoke append "a"; 0 info append "a"; 1 invoke append "b"; 1 ok append "b"; '
        '2 invoke get; 2 ok get "ba"; 2 invoke get; 2 ok get "b"',
        False,
        True,
    ),
    "an info append no get saw may never have happened": (
        '0 invoke append "a"; 0 info append "a"; 1 invoke get; 1 ok get ""',
        True,
        True,
    ),
    "an append that never completed may take effect late": (
        '0 invoke append "a"; 1 invoke get; 1 ok get ""; 1 invoke get; 1 ok get "a"',
        True,
        True,
    ),
    "an append takes effect once": (
        '0 invoke append "a"; 0 ok append "a"; 1 invoke get; 1 ok get "aa"',
        False,
        True,
    ),
    "a string no appended values make": (
        '0 invoke append "a"; 0 ok append "a"; 1 invoke get; 1 ok get "az"',
        False,
        True,
    ),
    "a string that splits two ways goes to the general search": (
        '0 invoke append "a"; 1 invoke append "b"; 0 ok append "a"; 1 ok append "b"; '
        '2 invoke append "ab"; 2 ok append "ab"; 3 invoke get; 3 ok get "ab"',
        False,  # "ab" alone or "a" then "b": either way an ok append is missing
        False,
    ),
    "a put goes to the general search": (
        '0 invoke put "a"; 0 ok put "a"; 1 invoke append "b"; 1 ok append "b"; '
        '2 invoke get; 2 ok get "ab"',
        True,
        False,
    ),
    "a repeated append value goes to the general search": (
        '0 invoke append "a"; 0 ok append "a"; 1 invoke append "a"; 1 ok append "a"; '
        '2 invoke get; 2 ok get "aa"',
        True,
        False,
    ),
    "an empty append goes to the general search": (
        '0 invoke append ""; 0 ok append ""; 1 invoke get; 1 ok get ""',
        True,
        False,
    ),
}


@pytest.mark.parametrize(("events", "expected", "fast"), CASES.values(), ids=CASES.keys())
def test_hand_made_history(events: str, expected: bool, fast: bool) -> None:
    h = keyed(parse(events))
    assert brute_linearizable(h, "kv") is expected
    [(part, key)] = keys_of(h)
    assert (key is not None) is fast
    assert general(part) is expected
    if key is not None:
        assert key.judge().linearizable is expected
    result = check_linearizable(h, "kv")
    assert result.valid is expected
    assert (result.witness is None) is expected


def keyed(h: History, key: str = "k") -> History:
    return History(dataclasses.replace(op, key=key) for op in h)


CYCLE = (
    "no order holds these ops: each had to take effect before the next, the last before the first:"
)


@pytest.mark.parametrize(
    ("events", "why"),
    [
        (
            CASES["lost append: completed, then never seen"][0],
            [
                CYCLE,
                "  op 4       process 2    get 'b'  (ok at op 5)",
                "    did not see the next, which completed ok and so took effect, after this one",
                "  op 0       process 0    append 'a'  (ok at op 1)",
                "    completed before the next was invoked",
            ],
        ),
        (
            CASES["stale get after a get that saw more"][0],
            [
                CYCLE,
                "  op 4       process 2    get ''  (ok at op 5)",
                "    did not see the next, which the get at op 2 saw (so it took effect, after "
                "this one)",
                "  op 0       process 0    append 'a'  (ok at op 1)",
                "    completed before the next was invoked",
            ],
        ),
        (  # the cycle does not run through the get, but its order is one of the edges
            '0 invoke append "a"; 0 ok append "a"; 0 invoke append "b"; 0 ok append "b"; '
            '1 invoke get; 1 ok get "ba"',
            [
                CYCLE,
                "  op 2       process 0    append 'b'  (ok at op 3)",
                "    came before the next in what the get at op 4 saw",
                "  op 0       process 0    append 'a'  (ok at op 1)",
                "    completed before the next was invoked",
            ],
        ),
        (
            CASES["two gets see concurrent appends in other orders"][0],
            [
                "it saw 'ba', and op 4       process 2    get 'ab'  (ok at op 5) saw 'ab':",
                "  they part after 0 characters, but appends only extend a key's string, so "
                "one of the two must be a prefix of the other",
            ],
        ),
        (
            CASES["a get sees an append not invoked yet"][0],
            [
                "it saw 'a', which the values appended to the key by ops invoked before it "
                "returned do not make"
            ],
        ),
        (
            CASES["a get sees an append that failed"][0],
            [
                "it saw 'a', which the values appended to the key by ops invoked before it "
                "returned do not make"
            ],
        ),
        (
            CASES["an append takes effect once"][0],
            [
                "the only way to make what it saw ('aa') from the values appended uses 'a' "
                "twice, but that append took effect once at most"
            ],
        ),
    ],
)
def test_the_fast_path_s_own_witness_says_why(events: str, why: list[str]) -> None:
    h = keyed(parse(events))
    [(part, key)] = keys_of(h)
    assert key is not None
    found = explained(h, key)
    assert found["why"] == why
    search = Search(part, None)
    assert found["op"] == witness(h, KV, search, search.run())["op"]


def test_splits_that_differ_are_explained_by_their_appends() -> None:
    # "ab" is a prefix of "abc", but its only split (the append "ab") is not a prefix of
    # the only split of "abc" ("a" then "bc").
    h = keyed(
        parse(
            '0 invoke append "a"; 1 invoke append "bc"; 2 invoke append "ab"; 3 invoke get; '
            '3 ok get "abc"; 4 invoke get; 4 ok get "ab"'
        )
    )
    assert brute_linearizable(h, "kv") is False
    [(_, key)] = keys_of(h)
    assert key is not None and key.judge().conflict is not None
    assert explained(h, key)["why"] == [
        "it saw the appends ['ab'] and op 3       process 3    get 'abc'  (ok at op 4) saw "
        "['a', 'bc'], the only ways to make what each saw:",
        "  neither order is a prefix of the other, but the appends took effect in one order",
    ]


def test_a_huge_append_only_key_is_decided() -> None:
    """20,000 ops by 20 clients appending at once: the general search runs out of any
    budget on it (see test_check), the fast path does not need one."""
    h = crowded_appends(20, 500, distinct=True)
    result = check_linearizable(h, "kv", timeout=120)
    assert result.valid is True
    assert result.configurations == 0  # the general search was not needed


LOST = "400.7 "


def lost_append() -> History:
    """20,000 ops by 20 clients appending at once, one append lost in the middle: every get
    from then on misses it."""
    return History(
        dataclasses.replace(op, value=op.value.replace(LOST, ""))
        if op.f == "get" and op.type == "ok"
        else op
        for op in crowded_appends(20, 500, distinct=True)
    )


def test_a_violation_in_a_huge_key_gets_the_fast_path_s_witness() -> None:
    """Too big for the general search's witness, so the fast path explains the cycle."""
    h = lost_append()
    result = check_linearizable(h, "kv")
    assert result.valid is False
    found = result.witness
    assert found is not None and found["complete"] is False
    first_get_after = next(
        op.index
        for op in h
        if op.f == "get" and op.type == "invoke" and op.index > index_of_append(h, LOST)
    )
    assert found["op"]["index"] == first_get_after
    assert found["why"][1:] == [
        f"  op {first_get_after:<7} process 0    get '0.19 0.18 0.17 0.16 0.15 0.14 0.13 0.12 "
        f"0.11 0.10 0.9 0....  (ok at op {first_get_after + 1})",
        "    did not see the next, which completed ok and so took effect, after this one",
        f"  op {index_of_append(h, LOST):<7} process 7    append '400.7 '  (ok at op 16187)",
        "    completed before the next was invoked",
    ]
    assert len(found["linearization"]) > 8_000


def test_the_chaos_invariant_says_why_too() -> None:
    verdict = linearizable("appends are linearizable", "kv")(lost_append(), None)
    assert verdict.valid is False
    assert "cannot be placed, no order holds these ops" in verdict.message
    [shown_witness] = verdict.witnesses
    assert shown_witness["why"][0].startswith("no order holds these ops")


def index_of_append(h: History, value: str) -> int:
    return next(op.index for op in h if op.f == "append" and op.value == value)


def test_the_time_budget_tests_history_is_not_the_fast_path_s() -> None:
    """slow.crowded_appends repeats its append values, so the budget tests still time the
    general search; with distinct values the fast path takes it."""
    [(_, repeated)] = keys_of(crowded_appends(6, 20))
    [(_, distinct)] = keys_of(crowded_appends(6, 20, distinct=True))
    assert repeated is None
    assert distinct is not None and distinct.judge().linearizable


@pytest.mark.parametrize("name", sorted(path.name for path in DATA.glob("*.edn")))
def test_kv_files_get_the_result_the_general_search_gives(name: str) -> None:
    """The fast path changes no verdict and no witness on tests/data/kv: where a key is
    broken, the general witness is still the one shown."""
    h = read_history(DATA / name)
    result = check_linearizable(h, "kv")
    parts = sorted(problems(h, KV), key=lambda p: len(p.events))
    for part in parts:
        search = Search(part, None)
        outcome = search.run()
        if not outcome.linearizable:
            assert result.valid is False
            assert result.witness == witness(h, KV, search, outcome)
            return
    assert result.valid is True and result.witness is None


@pytest.mark.parametrize(
    "name", ["kv-bad-lost-append.edn", "kv-bad-never-written.edn", "kv-bad-out-of-order.edn"]
)
def test_the_fast_path_takes_the_broken_key_of_some_kv_files(name: str) -> None:
    """So that the test above compares the two paths where it matters (the other files
    have puts on their broken key)."""
    h = read_history(DATA / name)
    [broken] = [part for part in problems(h, KV) if part.key == "0"]
    key = append_key(h, KV, broken)
    assert key is not None and not key.judge().linearizable


def test_a_model_like_kv_but_not_kv_is_left_to_the_general_search() -> None:
    class Renamed(type(KV)):  # type: ignore[misc]
        name = "kv2"

    h = keyed(parse('0 invoke append "a"; 0 ok append "a"; 1 invoke get; 1 ok get "a"'))
    [part] = problems(h, Renamed())
    assert append_key(h, Renamed(), part) is None
    assert append_key(h, KV, part) is not None


def test_keys_are_taken_one_by_one() -> None:
    """A put on one key sends that key to the general search, not the others."""
    h = History(
        [
            Op(0, "invoke", "put", "p", 0, key="puts"),
            Op(0, "ok", "put", "p", 1, key="puts"),
            Op(1, "invoke", "append", "a", 2, key="appends"),
            Op(1, "ok", "append", "a", 3, key="appends"),
        ]
    )
    taken = {part.key: key is not None for part, key in keys_of(h)}
    assert taken == {"puts": False, "appends": True}
