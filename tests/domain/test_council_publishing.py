"""Who publishes a council's advice: what a majority is, and what an approval is for."""

from __future__ import annotations

import pytest

from pb.domain.council import draft_digest, majority_of


@pytest.mark.parametrize(("members", "needed"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (9, 5)])
def test_a_majority_is_more_than_half_of_the_members(members: int, needed: int) -> None:
    assert majority_of(members) == needed


def test_any_change_to_the_draft_changes_its_digest() -> None:
    draft = [(1, "Plant trees", "Shade"), (2, "Add bins", "Litter")]
    same = draft_digest("Our advice", draft)
    assert same == draft_digest("Our advice", list(draft))
    for changed in (draft_digest("Our advice.", draft),
                    draft_digest("Our advice", [(1, "Plant trees", "Shade!"), draft[1]]),
                    draft_digest("Our advice", [(1, "Add bins", "Litter"),
                                                (2, "Plant trees", "Shade")]),
                    draft_digest("Our advice", draft[:1])):
        assert changed != same


def test_the_digest_covers_the_drafts_other_language() -> None:
    draft = [(1, "Plant trees", "Shade")]
    english = draft_digest("Our advice", draft)
    assert draft_digest("Our advice", draft, {}) == english  # no translations: as before
    welsh = draft_digest("Our advice", draft, {"recommendations": {"1": {"cy": {
        "text": "Plannu coed"}}}})
    changed = draft_digest("Our advice", draft, {"recommendations": {"1": {"cy": {
        "text": "Plannu llawer o goed"}}}})
    summary = draft_digest("Our advice", draft, {"summary": {"cy": "Ein cyngor"}})
    assert len({english, welsh, changed, summary}) == 4
