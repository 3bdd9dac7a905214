-- The event log: the only truth of the warehouse. Everything in schema `events` is
-- append-only: rows are inserted once, in the transaction of their batch, and never
-- updated or deleted. Corrections are newer batches; retractions are events too.

create schema if not exists events;

create sequence if not exists events.batch_id_seq start 1;

-- One row per delivered file that was accepted or rejected (a duplicate writes nothing).
create table if not exists events.batches (
    batch_id bigint primary key,
    source varchar not null,          -- huvudbok | organisation | verksamheter | ...
    file_name varchar not null,       -- base name as delivered
    file_path varchar not null,       -- absolute path at ingest time
    sha256 varchar not null,          -- identity of the file: same bytes = same batch
    file_bytes bigint not null,
    encoding varchar,                 -- utf-8 | utf-8-sig | cp1252 | utf-16 | utf-32
    recorded_at timestamptz not null, -- transaction time, strictly increasing
    status varchar not null,          -- accepted | rejected
    row_count bigint not null,        -- data rows in the file
    reason varchar,                   -- rejection summary (null when accepted)
    report_path varchar               -- quarantine report (null when accepted)
);

-- A retraction removes an event from the current state without deleting anything: it is
-- an event itself, from the same id sequence and the same strictly increasing clock as
-- the batches. Its target is a batch or another retraction (retracting a retraction
-- restores what that one retracted). A retraction is effective unless an effective
-- retraction targets it; a batch counts unless an effective retraction targets it
-- (dbt: int_retractions_resolved, int_batches_accepted; Python: warehouse/retractions.py).
create table if not exists events.retractions (
    retraction_id bigint primary key, -- from events.batch_id_seq: one id space for events
    target_id bigint not null,        -- a batch_id or an earlier retraction_id
    reason varchar not null,          -- why, in the words of whoever retracted it
    recorded_at timestamptz not null, -- transaction time, same clock as events.batches
    recorded_by varchar not null,     -- user@host
    command varchar not null          -- the command line that recorded it
);

-- Which supersession keys an accepted batch delivers, as canonical text
-- (the contract's key columns joined by '|': huvudbok '<namnd>|<period>', budget
-- '<beslut>', verksamheter '<namnd>', organisation '*').
-- Tiny (one row per key and batch) so current state never scans the fact rows.
create table if not exists events.supersession_keys (
    batch_id bigint not null,
    source varchar not null,          -- whose current state the key decides: the batch's
                                      -- source, or for a SIE file 'huvudbok', 'budget'
                                      -- and 'balans'
    key varchar not null,
    row_count bigint not null
);

-- One table per source, `events.<source>`, is generated from the source's contract
-- (sources/<source>/contract.py) by warehouse/schema.py, and created after this file.
