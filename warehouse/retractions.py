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

from collections.abc import Iterable, Mapping, Sequence
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


def changes(target_id: int, retractions: Iterable[tuple[int, int]]) -> tuple[set[int], set[int]]:
    """The events a new retraction of `target_id` would take out, and those it would bring
    back: (out, back), from the resolution before and after it.

    A retraction of a batch takes that batch out; a retraction of a retraction brings
    back what that one took out (or, deeper in a chain, takes it out again).

    >>> changes(1, [])  # batch 1 retracted
    ({1}, set())
    >>> changes(5, [(5, 1)])  # retraction 5 of batch 1 retracted: 5 is out, 1 is back
    ({5}, {1})
    >>> changes(6, [(5, 1), (6, 5)])  # 1 <- 5 <- 6 <- new: 6 out, 5 effective again, 1 out
    ({1, 6}, {5})
    """
    pairs = list(retractions)
    new_id = max([target_id, *(r for r, _ in pairs)]) + 1
    before = resolve(pairs)
    after = resolve([*pairs, (new_id, target_id)])
    was, now = set(before.retracted_by), set(after.retracted_by)
    return now - was, was - now


@dataclass(frozen=True)
class Delivery:
    """A batch as `tertial retract` names it: file, source, keys and rows."""

    batch_id: int
    source: str
    file_name: str
    row_count: int
    keys: tuple[tuple[str, str], ...]  # (source, key): ("huvudbok", "142|202303")

    def named(self) -> str:
        """`batch 27 (huvudbok_202303.csv, 11,634 rows)`"""
        rows = f"{self.row_count:,} row{'s' if self.row_count != 1 else ''}"
        return f"batch {self.batch_id} ({self.file_name}, {rows})"

    def keys_text(self, shown: int = 4) -> str:
        """The keys (`keys_of`)."""
        return keys_of(self.keys, shown)


def keys_of(keys: Sequence[tuple[str, str]], shown: int = 4) -> str:
    """(source, key) pairs as text, the source said once per run of keys, only the first
    `shown` when there are more, with how many in all.

    >>> keys_of([("huvudbok", f"{n}|202303") for n in range(101, 129)])
    'huvudbok 101|202303, 102|202303, 103|202303, 104|202303 and 24 more (28 keys)'
    >>> keys_of([("huvudbok", "142|2011"), ("budget", "KS 2011-03-01 §4")])
    'huvudbok 142|2011, budget KS 2011-03-01 §4'
    """
    if not keys:
        return "no supersession key"
    cut = keys if len(keys) <= shown + 1 else keys[:shown]
    words, previous = [], None
    for source, key in cut:
        words.append(key if source == previous else f"{source} {key}")
        previous = source
    more = len(keys) - len(cut)
    return ", ".join(words) + (f" and {more} more ({len(keys)} keys)" if more else "")


@dataclass(frozen=True)
class Effect:
    """What retracting `target_id` now would do: the batches it takes out, those it
    brings back; `target` says what the id is (`batch 27`, `retraction 155 of batch 27`);
    `then` says per batch taken out what counts instead for its keys."""

    target_id: int
    target: str
    out: tuple[Delivery, ...]
    back: tuple[Delivery, ...]
    then: Mapping[int, tuple[str, ...]]


def effect(con, target_id: int) -> Effect:
    """What `tertial retract target_id` would do to the event log read through `con` (a
    DuckDB connection to the working database), said before it is done. Raises
    RetractionRefused when it would be refused (the same check as the store's, which
    checks again when it writes)."""
    status = dict(con.execute("select batch_id, status from events.batches").fetchall())
    pairs = con.execute("select retraction_id, target_id from events.retractions").fetchall()
    why = refusal(target_id, status, pairs)
    if why is not None:
        raise RetractionRefused(why)
    out, back = changes(target_id, pairs)
    new_id = max([target_id, *(r for r, _ in pairs)]) + 1
    after = resolve([*pairs, (new_id, target_id)])
    batches = sorted((out | back) & set(status))
    # Integer ids from the log itself, written as a list literal (a bound list parameter
    # would make DuckDB import NumPy); -1, no id, when there is none.
    ids = "[" + ", ".join(str(int(b)) for b in batches or [-1]) + "]"
    found = {
        row[0]: row[1:]
        for row in con.execute(
            f"""
            select batch_id, source, file_name, coalesce(row_count, 0)
            from events.batches where batch_id in (select unnest({ids}))
            """
        ).fetchall()
    }
    keys: dict[int, list[tuple[str, str]]] = {}
    for batch_id, source, key in con.execute(
        f"""
        select batch_id, source, key from events.supersession_keys
        where batch_id in (select unnest({ids})) order by batch_id, source, key
        """
    ).fetchall():
        keys.setdefault(batch_id, []).append((source, key))
    # The other accepted deliveries of the same keys: what counts once a batch is out.
    others: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for source, key, batch_id, file_name in con.execute(
        f"""
        select mine.source, mine.key, other.batch_id, b.file_name
        from events.supersession_keys as mine
        join events.supersession_keys as other
            on other.source = mine.source and other.key = mine.key
            and other.batch_id <> mine.batch_id
        join events.batches as b on b.batch_id = other.batch_id and b.status = 'accepted'
        where mine.batch_id in (select unnest({ids}))
        """
    ).fetchall():
        others.setdefault((source, key), []).append((batch_id, file_name))
    deliveries = {b: Delivery(b, *found[b], tuple(keys.get(b, ()))) for b in batches if b in found}
    targets = dict(pairs)
    if target_id in targets:
        of = targets[target_id]
        target = f"retraction {target_id} (of {'batch' if of in status else 'retraction'} {of})"
    else:
        target = f"batch {target_id}"
    taken = tuple(deliveries[b] for b in sorted(out) if b in deliveries)
    return Effect(
        target_id,
        target,
        taken,
        tuple(deliveries[b] for b in sorted(back) if b in deliveries),
        {d.batch_id: fallback(d, others, after) for d in taken},
    )


def fallback(
    delivery: Delivery,
    others: Mapping[tuple[str, str], Sequence[tuple[int, str]]],
    after: Resolution,
) -> tuple[str, ...]:
    """What counts for `delivery`'s keys once it is out (`after`): per key the newest other
    delivery still in, if the one taken out was the newest (a re-export replaces a key
    whole, so the earlier one counts again); else nothing changes for that key.

    >>> d = Delivery(18, "huvudbok", "h_rattelse.csv", 425, (("huvudbok", "142|202206"),))
    >>> fallback(d, {("huvudbok", "142|202206"): [(17, "h.csv")]}, resolve([(30, 18)]))
    ('batch 17 (h.csv) counts again for huvudbok 142|202206',)
    >>> fallback(d, {}, resolve([(30, 18)]))
    ('no other delivery of this key: its rows leave the marts',)
    """
    again: dict[tuple[int, str], list[tuple[str, str]]] = {}
    gone: list[tuple[str, str]] = []
    unchanged: list[tuple[str, str]] = []
    for source_key in delivery.keys:
        standing = [o for o in others.get(source_key, ()) if not after.is_retracted(o[0])]
        newest = max(standing, default=None)
        if newest is not None and newest[0] > delivery.batch_id:
            unchanged.append(source_key)  # superseded already: the marts do not change
        elif newest is not None:
            again.setdefault(newest, []).append(source_key)
        else:
            gone.append(source_key)
    lines = [
        f"batch {batch_id} ({file_name}) counts again for {keys_of(k)}"
        for (batch_id, file_name), k in sorted(again.items())
    ]
    if gone:
        their = "its rows leave" if len(gone) == 1 else "their rows leave"
        which = (
            ("this key" if len(gone) == 1 else f"these {len(gone)} keys")
            if len(gone) == len(delivery.keys)
            else keys_of(gone, 2)
        )
        lines.append(f"no other delivery of {which}: {their} the marts")
    if unchanged:
        lines.append(f"{keys_of(unchanged, 2)}: a later delivery counts already, no change")
    return tuple(lines)
