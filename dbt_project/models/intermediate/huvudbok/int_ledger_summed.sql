{#-
    The ledger in its current state, summed to the grain (namnd, verksamhet, konto,
    motpart, period) with the winning batch: what fct_ledger (a plain table over this model) and
    the intermediate models that need booked amounts (int_budget_indicators_computed,
    int_budget_followup_booked_months) read, so no intermediate model reads a mart.

    Incremental because a city books ~1 M lines a month and keeps 10 years: the nightly
    build must not re-read 120 M lines to add a month. The supersession key of the
    ledger is (namnd, period), so the model is maintained per key with delete+insert:

    - A key needs work exactly when its winning batch (int_ledger_batches_current) is
      not the batch its rows in this table come from. A new delivery makes a newer
      batch win; a retraction can make an older batch win again, or restore one. No
      high-water mark on batch_id: after a retraction the winner can be older than
      everything in the table.
    - For those keys only the lines of the winning batch are read: the join on batch_id
      against a handful of winners becomes a dynamic min/max filter on the scan of
      events.huvudbok, whose zone maps (rows are inserted in batch_id order) skip every
      other row group. The comparison reads three columns of this table (one row
      per nämnd, verksamhet, konto, motpart and month: thousands a month, not a million).
    - delete+insert removes all rows of each processed key before inserting the new
      ones, so a correction replaces its key completely, including combinations of
      verksamhet and konto that vanished.
    - A key whose only delivery was retracted has no winner and nothing to insert; the
      post-hook deletes every row whose (key, batch) is not the current winner, which
      removes such keys (and is a no-op otherwise).

    A full refresh runs the same query over every winner and gives the same rows
    (tests/integration/test_dbt_project.py proves it after corrections and retractions).
    Motpart (the counterparty board of an internal line, null on external lines) is part
    of the grain so that internal trade can be paired and eliminated (rpt_internal_trade):
    on the benchmark city (random buyers on every internal sale) it doubles the rows
    (65k -> 132k a year; fct_ledger's copy at ~10 years 0.5 -> 1.3 s), while Ansvar and
    Projekt too would quadruple them (256k a year, 3.3 s): those are summed apart, per
    (nämnd, ansvar, projekt, period), in int_ledger_units_summed.
    No surrogate keys here: fct_ledger adds them (md5 of the natural key), so nothing in
    this table depends on a dimension's contents and old rows never need re-keying.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['namnd_code', 'period'],
        on_schema_change='fail',
        post_hook=["{{ ledger_keys_retracted() }}"],
    )
}}

with

current_batches as (

    {{ ledger_batches_to_read() }}

),

current_lines as (

    select
        ledger_lines.namnd_code,
        ledger_lines.verksamhet_code,
        ledger_lines.konto,
        ledger_lines.motpart_namnd_code,
        ledger_lines.period,
        ledger_lines.amount,
        current_batches.batch_id,
        current_batches.recorded_at
    from {{ ref('stg_huvudbok__ledger_lines') }} as ledger_lines
    inner join current_batches
        on
            ledger_lines.batch_id = current_batches.batch_id
            and ledger_lines.namnd_code = current_batches.namnd_code
            and ledger_lines.period = current_batches.period

),

aggregated as (

    select
        namnd_code,
        verksamhet_code,
        konto,
        motpart_namnd_code,
        period,
        batch_id,
        recorded_at,
        cast(sum(amount) as decimal(18, 2)) as amount,
        count(*) as line_count
    from current_lines
    group by
        namnd_code,
        verksamhet_code,
        konto,
        motpart_namnd_code,
        period,
        batch_id,
        recorded_at

)

select
    namnd_code,
    verksamhet_code,
    konto,
    motpart_namnd_code,
    period,
    amount,
    line_count,
    batch_id,
    recorded_at
from aggregated
