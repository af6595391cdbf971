"""The registry of counting rules and the one entry point, `tally`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pb.domain.tally.greedy import run_greedy
from pb.domain.tally.mes import MesEngine, equal_shares
from pb.domain.tally.mes_explain import explain_mes
from pb.domain.tally.model import TallyError, TallyInput, without_cycle_collector
from pb.domain.tally.outcome import Explanation, Outcome, money
from pb.domain.tally.phragmen import run_phragmen

COMPLETIONS = ("none", "add1", "add1-greedy", "add1-nostop")

Runner = Callable[[TallyInput, str], tuple[list[int], dict[int, Explanation], dict[str, object]]]


@dataclass(frozen=True)
class Rule:
    """A counting rule as rounds and the CLI name it."""

    name: str
    description: str
    run: Runner
    completions: tuple[str, ...] = ("none",)


def _greedy(data: TallyInput, completion: str) -> tuple[list[int], dict[int, Explanation], dict]:
    order, explanations = run_greedy(data)
    return order, explanations, {}


def _greedy_no_skip(data: TallyInput, completion: str
                    ) -> tuple[list[int], dict[int, Explanation], dict]:
    order, explanations = run_greedy(data, skip=False, label="greedy-no-skip")
    return order, explanations, {}


def _greedy_threshold(data: TallyInput, completion: str
                      ) -> tuple[list[int], dict[int, Explanation], dict]:
    if data.threshold is None:
        raise TallyError("greedy-threshold needs a minimum score (META "
                         "min_project_score_threshold); none was given.")
    order, explanations = run_greedy(data, threshold=data.threshold, label="greedy-threshold")
    return order, explanations, {"threshold": data.threshold}


@lru_cache(maxsize=4)
def mes_engine(data: TallyInput) -> MesEngine:
    """Return the MES engine for `data`, kept so the completions share their reruns."""
    return MesEngine(data)


def _mes(data: TallyInput, completion: str) -> tuple[list[int], dict[int, Explanation], dict]:
    engine = mes_engine(data)
    run, info = equal_shares(engine, "add1" if completion == "add1-greedy" else completion)
    explanations = explain_mes(engine, run)
    order = list(run.order)
    details: dict[str, object] = {"voter_share": explanations[0]["voter_share"], **info}
    if completion == "add1-greedy" and not _exhaustive(data, order):
        extra, greedy = run_greedy(data, already=order, label="greedy completion")
        for p in range(len(data.ids)):
            if p in order:
                continue
            step = greedy[p]
            if p in extra:
                explanations[p] = explanations[p] | {
                    "status": "funded", "reason": "funded_by_completion",
                    "left_when_considered": step["left_when_considered"],
                    "sentence": "Funded by the greedy completion after Equal Shares: "
                                f"{money(step['left_when_considered'], data.currency)} was "
                                f"left when its turn came and it costs "
                                f"{money(data.costs[p], data.currency)}.",
                }
            elif "left_when_considered" in step:
                explanations[p] = explanations[p] | {
                    "left_when_considered": step["left_when_considered"],
                    "sentence": explanations[p]["sentence"] + " In the greedy completion "
                                f"only {money(step['left_when_considered'], data.currency)} "
                                "was left when its turn came.",
                }
        order += extra
    return order, explanations, details


def _exhaustive(data: TallyInput, order: list[int]) -> bool:
    left = data.budget_units - sum(data.cost_units[p] for p in order)
    chosen = set(order)
    return all(data.cost_units[p] > left for p in range(len(data.ids)) if p not in chosen)


def _phragmen(data: TallyInput, completion: str) -> tuple[list[int], dict[int, Explanation], dict]:
    order, explanations = run_phragmen(data)
    return order, explanations, {}


TALLY_RULES: dict[str, Rule] = {rule.name: rule for rule in (
    Rule("greedy", "By support (approvals or total points), skipping projects that no longer "
         "fit.", _greedy),
    Rule("greedy-no-skip", "By support, stopping at the first project that does not fit.",
         _greedy_no_skip),
    Rule("greedy-threshold", "Greedy after leaving out projects under the minimum score.",
         _greedy_threshold),
    Rule("mes", "Method of Equal Shares (cost utilities for approval, points otherwise).", _mes,
         COMPLETIONS),
    Rule("phragmen", "Sequential Phragmén (approval ballots only).", _phragmen),
)}

# Values of pabulib's META `rule` that we can reproduce, as (rule, completion).
META_RULES: dict[str, tuple[str, str]] = {
    "greedy": ("greedy", "none"),
    "greedy-no-skip": ("greedy-no-skip", "none"),
    "greedy-threshold": ("greedy-threshold", "none"),
    "equalshares": ("mes", "none"),
    "equalshares/add1": ("mes", "add1"),
    # Wieliczka 2023's official result: keep adding past exhaustive outcomes.
    "equalshares/add1-comparison": ("mes", "add1-nostop"),
    "phragmen": ("phragmen", "none"),
}


def parse_rule(name: str, completion: str | None = None) -> tuple[str, str]:
    """Split "mes+add1" style names; check the rule and completion exist and go together."""
    rule, _, suffix = name.partition("+")
    if suffix:
        if completion not in (None, "none", suffix):
            raise TallyError(f"The rule {name!r} already names completion {suffix!r}.")
        completion = suffix
    completion = completion or "none"
    if rule not in TALLY_RULES:
        raise TallyError(f"Unknown rule {rule!r}; choose one of {', '.join(TALLY_RULES)}.")
    if completion not in TALLY_RULES[rule].completions:
        allowed = ", ".join(TALLY_RULES[rule].completions)
        raise TallyError(f"The rule {rule!r} does not take completion {completion!r} "
                         f"(it takes: {allowed}).")
    return rule, completion


def default_rule(data: TallyInput) -> tuple[str, str]:
    """Return the rule named in the file's META if we know it, else greedy."""
    return META_RULES.get((data.file_rule or "").strip(), ("greedy", "none"))


def file_rule(meta_rule: str | None) -> tuple[str, str]:
    """Return the (rule, completion) a file's META `rule` names; greedy when it names none.

    Raise TallyError when it names a rule we cannot reproduce (`greedy-custom`, `unknown`...):
    such a file is counted only with a rule the user names, never quietly with another one.
    """
    name = (meta_rule or "").strip()
    if not name:
        return "greedy", "none"
    if name not in META_RULES:
        raise TallyError(f"The file's rule {name!r} is not one pb can count (it knows "
                         f"{', '.join(META_RULES)}); name the rule to count with, "
                         "e.g. --rule greedy.")
    return META_RULES[name]


@without_cycle_collector
def tally(data: TallyInput, rule: str = "greedy", completion: str | None = None) -> Outcome:
    """Count `data` with `rule` (and `completion`, for mes) and explain every project."""
    rule, completion = parse_rule(rule, completion)
    order, explanations, details = TALLY_RULES[rule].run(data, completion)
    chosen = set(order)
    name = rule if completion == "none" else f"{rule}+{completion}"
    return Outcome(
        rule=name,
        selected=tuple(data.ids[p] for p in range(len(data.ids)) if p in chosen),
        selection_order=tuple(data.ids[p] for p in order),
        budget=data.budget,
        budget_used=sum((data.costs[p] for p in order), start=data.budget * 0),
        projects={data.ids[p]: explanations[p] for p in range(len(data.ids))},
        currency=data.currency,
        details=details,
    )
