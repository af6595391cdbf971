"""Choosing a council by lot: quotas, the fair selection, the published files and the draw.

Part of the pure domain: values in, values out, no Flask, no database; it may import the
standard library and `pb.domain` (and, in `fair` alone, the solver libraries below).

- `quotas`: read and check quotas and volunteers' answers (standard library only);
- `draw`: the published files, the draw from a public seed, replacements and the replay that
  `pb sortition verify` runs (standard library only, so anyone can check a draw);
- `fair`: the LEXIMIN distribution and its lottery, with the Sortition Foundation's
  `sortition-algorithms` library and the HiGHS solver (the only module here that needs them);
- `solve`: runs `fair` in a child process (`python -m pb.domain.sortition.solve`), so a
  server keeps serving while it computes.
"""
