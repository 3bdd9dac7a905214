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
-- (the contract's key columns joined by '|': huvudbok '<namnd>|<period>', budget
-- '<beslut>', verksamheter '<namnd>', organisation '*').
-- Tiny (one row per key and batch) so current state never scans the fact rows.
create table if not exists events.supersession_keys (
    batch_id bigint not null,
    source varchar not null,          -- whose current state the key decides: the batch's
                                      -- source, or for a SIE file 'huvudbok' and 'budget'
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

-- Budget decisions (source-formats.md §2). Key: beslut. Decisions add up.
create table if not exists events.budget (
    batch_id bigint not null,
    line_number integer not null,
    ar integer not null,
    beslut varchar not null,
    beslutsdatum date not null,       -- valid time of the decision
    typ varchar not null,             -- Ursprunglig | Ombudgetering | Tilläggsbudget
    namnd varchar not null,
    verksamhet varchar not null,
    slag varchar not null,            -- Kostnader | Intäkter | Investering
    belopp decimal(18, 2) not null,   -- kronor, positive for all three kinds
    extra json
);

-- Year-end forecasts (§3). Key: (namnd, ar, prognostillfalle).
create table if not exists events.prognos (
    batch_id bigint not null,
    line_number integer not null,
    ar integer not null,
    prognostillfalle varchar not null, -- T1 | T2 | M01..M12
    namnd varchar not null,
    verksamhet varchar not null,
    slag varchar not null,
    prognos decimal(18, 2) not null,
    extra json
);

-- Monthly payroll counts, aggregates only (§4). Key: (namnd, period).
create table if not exists events.lon (
    batch_id bigint not null,
    line_number integer not null,
    period integer not null,
    namnd varchar not null,
    anstallningsform varchar not null, -- Tillsvidare | Visstid | Timavlönad
    kon varchar not null,              -- K | M
    anstallda bigint not null,
    arsarbetare decimal(18, 4) not null,
    utbetalda_loner bigint not null,
    lonesumma decimal(18, 2) not null,
    extra json
);

-- Monthly sick-leave hours (§5). Hours, never percentages. Key: (namnd, period).
create table if not exists events.sjukfranvaro (
    batch_id bigint not null,
    line_number integer not null,
    period integer not null,
    namnd varchar not null,
    kon varchar not null,
    aldersgrupp varchar not null,      -- -29 | 30-49 | 50-
    anstallda bigint not null,
    ordinarie_arbetstid decimal(18, 4) not null,
    sjukfranvaro decimal(18, 4) not null,
    varav_dag_1_14 decimal(18, 4) not null,
    varav_60_dagar decimal(18, 4) not null,
    extra json
);

-- Yearly staff-survey indices (§6). Key: (namnd, ar).
create table if not exists events.medarbetarenkat (
    batch_id bigint not null,
    line_number integer not null,
    ar integer not null,
    namnd varchar not null,
    index_namn varchar not null,
    varde decimal(18, 4) not null,
    svarsfrekvens decimal(18, 4),
    extra json
);

-- Indicator follow-ups (§7): every raw text kept, and what the parser made of it.
-- Key: (namnd, ar, rapport).
create table if not exists events.indikatorer (
    batch_id bigint not null,
    line_number integer not null,
    ar integer not null,
    rapport varchar not null,          -- T1 | T2 | VB
    namnd varchar not null,
    mal varchar,
    indikator varchar not null,
    periodens_utfall varchar,          -- raw texts, exactly as delivered
    prognos_helar varchar,
    arsmal varchar,
    kf_arsmal varchar,
    period_text varchar,
    bedomning varchar,
    utfall_value decimal(18, 4),       -- parsed: number, unit, kind
    utfall_unit varchar,
    utfall_kind varchar,
    prognos_value decimal(18, 4),
    prognos_unit varchar,
    prognos_kind varchar,
    arsmal_value decimal(18, 4),
    arsmal_unit varchar,
    arsmal_kind varchar,
    kf_arsmal_value decimal(18, 4),
    kf_arsmal_unit varchar,
    kf_arsmal_kind varchar,
    period_report varchar,             -- T1 | T2 | VB | null (a year)
    period_year integer,
    assessment varchar,                -- met | partly_met | not_met | null
    unparsed varchar[],                -- columns whose text could not be parsed
    extra json
);
