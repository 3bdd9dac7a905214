"""Which retractions are in effect, and which events they take out of the current state.

A retraction targets one earlier event: a batch, or another retraction. The rule, the
same as dbt's `int_retractions_resolved` (the projections use that one; this one serves
the CLI's checks, `tertial history` and the loader's reference codes):

- a retraction is **effective** unless an effective retraction targets it;
- an event (batch or retraction) is **retracted** when at least one effective retraction
  targets it.

So in a chain batch <- R1 <- R2 <- R3 the batch is out when the chain above it is odd
(R3 effective, R2 not, R1 effective); retracting a retraction restores what it took out.
Because a retraction always targets an earlier id, walking the ids from the newest down
decides every retraction before the one it targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


class RetractionRefused(ValueError):
    """The retraction would be meaningless (unknown, rejected or already retracted target)."""


@dataclass(frozen=True)
class Resolution:
    """The retractions that are effective and the events they take out."""

    effective: frozenset[int]
    retracted_by: Mapping[int, tuple[int, ...]]  # event id -> effective retractions of it

    def is_retracted(self, event_id: int) -> bool:
        return event_id in self.retracted_by


def resolve(retractions: Iterable[tuple[int, int]]) -> Resolution:
    """Resolve (retraction_id, target_id) pairs into effective retractions.

    >>> r = resolve([(5, 1), (6, 5), (7, 6)])  # 1 <- 5 <- 6 <- 7: odd chain
    >>> sorted(r.effective), r.is_retracted(1)
    ([5, 7], True)
    >>> resolve([(5, 1), (6, 5)]).is_retracted(1)  # the retraction retracted: restored
    False
    """
    pairs = sorted(retractions, reverse=True)
    effective: set[int] = set()
    retracted_by: dict[int, list[int]] = {}
    for retraction_id, target_id in pairs:
        if target_id >= retraction_id:
            raise ValueError(
                f"retraction {retraction_id} targets {target_id}, which is not an earlier event"
            )
        if retraction_id not in retracted_by:
            effective.add(retraction_id)
            retracted_by.setdefault(target_id, []).append(retraction_id)
    return Resolution(frozenset(effective), {k: tuple(sorted(v)) for k, v in retracted_by.items()})


def refusal(
    target_id: int, batch_status: Mapping[int, str], retractions: Iterable[tuple[int, int]]
) -> str | None:
    """Why retracting `target_id` now would be refused, or None when it may be retracted.

    Only what is in effect can be retracted: an accepted batch or an effective
    retraction, not yet retracted. Retracting twice would make a later "undo" ambiguous
    (which of the two does it undo?), so the second is refused with the first named.
    """
    pairs = list(retractions)
    retraction_ids = {r for r, _ in pairs}
    if target_id not in batch_status and target_id not in retraction_ids:
        return f"no batch or retraction has id {target_id} (see `tertial batches`)"
    status = batch_status.get(target_id)
    if status is not None and status != "accepted":
        return f"batch {target_id} was {status}: it never counted, there is nothing to retract"
    resolution = resolve(pairs)
    if resolution.is_retracted(target_id):
        by = ", ".join(map(str, resolution.retracted_by[target_id]))
        return (
            f"{target_id} is already retracted by retraction {by}; "
            f"retract {by} to restore it instead"
        )
    return None
