"""The results a facilitator sees, built once per campaign version from its stored answers.

`assessment.results.release.build_release` is the only reader of answers for results; it coarsens
every breakdown first (`assessment.results.coarsening`), so nothing downstream can see a hidden group.
"""
