"""Writing an Election back as pabulib text."""

from __future__ import annotations

import csv
import io
import random

from pb.domain.pabulib.model import POINTS_TYPES, Election, format_number


def write_pabulib(election: Election, *, shuffle: random.Random | int | None = None) -> str:
    """Return `election` as pabulib text, with the file's line ends (`election.newline`).

    With `shuffle` (a `random.Random` or a seed), voters are written in a shuffled order with ids
    replaced by 1, 2, 3, ..., so the published file cannot be matched to the order of voting.
    Columns come in the order of `project_columns` and `vote_header` when they are given.
    """
    out = io.StringIO()
    newline = election.newline
    writer = csv.writer(out, delimiter=";", lineterminator=newline)
    out.write("META" + newline)
    writer.writerow(["key", "value"])
    # META is written as given (some published files' counts disagree with their rows, and a
    # round trip must not change them); an export sets num_projects / num_votes itself.
    for key, value in election.meta.items():
        writer.writerow([key, value])
    out.write("PROJECTS" + newline)
    columns = list(election.project_columns) or ["project_id", "cost"]
    for project in election.projects.values():
        for name in project.fields:
            if name not in columns:
                columns.append(name)
    writer.writerow(columns)
    for project in election.projects.values():
        values = {**project.fields, "project_id": project.id, "cost": format_number(project.cost)}
        writer.writerow([values.get(name, "") for name in columns])
    out.write("VOTES" + newline)
    with_points = election.vote_type in POINTS_TYPES
    fixed = ["voter_id", "vote"] + (["points"] if with_points else [])
    header = [name for name in election.vote_header
              if name in fixed or name in election.vote_columns]
    if sorted(header) != sorted(fixed + list(election.vote_columns)):
        header = fixed + list(election.vote_columns)
    # Where each written column comes from in [voter_id, vote, points, *extra].
    source = {"voter_id": 0, "vote": 1, "points": 2}
    source.update({name: 3 + i for i, name in enumerate(election.vote_columns)})
    picks = [source[name] for name in header]
    writer.writerow(header)
    votes = list(election.votes)
    if shuffle is not None:
        rng = shuffle if isinstance(shuffle, random.Random) else random.Random(shuffle)
        rng.shuffle(votes)
        votes = [vote._replace(voter_id=str(i)) for i, vote in enumerate(votes, 1)]
    plain = picks == [0, 1, 2][:len(fixed)] + list(range(3, 3 + len(election.vote_columns)))
    for vote in votes:
        points = ",".join(format_number(p) for p in vote.points or ()) if with_points else ""
        row = [vote.voter_id, ",".join(vote.projects), points, *vote.extra]
        if plain:
            if not with_points:
                del row[2]
            writer.writerow(row)
        else:
            writer.writerow([row[i] for i in picks])
    text = out.getvalue()
    return text if election.final_newline or not election.votes else text[:-len(newline)]
