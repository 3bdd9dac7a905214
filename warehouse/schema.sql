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
    encoding varchar,                 -- utf-8 | utf-8-sig | cp1252
    recorded_at timestamptz not null, -- transaction time, strictly increasing
    status varchar not null,          -- accepted | rejected
    row_count bigint not null,        -- data rows in the file
    reason varchar,                   -- rejection summary (null when accepted)
    report_path varchar               -- quarantine report (null when accepted)
);

-- Which supersession keys an accepted batch delivers, as canonical text
-- (huvudbok: '<namnd>|<period>', verksamheter: '<namnd>', organisation: '*').
-- Tiny (one row per key and batch) so current state never scans the fact rows.
create table if not exists events.supersession_keys (
    batch_id bigint not null,
    source varchar not null,
    key varchar not null,
    row_count bigint not null
);

create table if not exists events.huvudbok (
    batch_id bigint not null,
    line_number integer not null,     -- line in the delivered file (header = 1)
    period integer not null,          -- YYYYMM
    namnd varchar not null,
    ansvar varchar,
    verksamhet varchar not null,
    konto varchar not null,           -- 4 digits, Kommun-Bas
    projekt varchar,
    motpart varchar,
    belopp decimal(18, 2) not null,   -- kronor, debit positive
    verifikation varchar,
    datum date not null,
    text varchar,
    extra json                        -- unknown extra columns, kept verbatim
);

create table if not exists events.organisation (
    batch_id bigint not null,
    line_number integer not null,
    datum date not null,              -- valid time of the event
    handelse varchar not null,        -- Skapad | Namnbyte | Sammanslagen | Delad | Nedlagd
    kod varchar not null,
    namn varchar not null,
    typ varchar not null,             -- Kommunstyrelse | Facknämnd | Stadsdelsnämnd | Avdelning
    overordnad varchar,
    eftertradare varchar[],           -- successor codes
    extra json
);

create table if not exists events.verksamheter (
    batch_id bigint not null,
    line_number integer not null,
    namnd varchar not null,
    verksamhet varchar not null,
    namn varchar not null,
    overordnad varchar,               -- parent verksamhet: reports show this as a "varav" line
    giltig_fran date,
    giltig_till date,
    extra json
);
