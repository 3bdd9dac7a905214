{#-
    The ledger in today's organisation: every fct_ledger row, divided among the codes
    that carry its board's activity today (int_ledger_restatement_shares), one row per
    successor. A row of a board nothing maps is itself, whole (share 1).

    Each piece is amount × share rounded to öre (half away from zero); what rounding
    leaves over (|remainder| ≤ 0,005 kr × successors) goes to the piece with the largest
    share (on a tie, the lowest code), so each row's pieces sum to its amount exactly,
    and so does every sum over rows: restated totals equal fct_ledger's totals to the
    öre (tests/integration/test_demo_run.py, per year). 100,01 kr split 0,6/0,4 gives
    60,01 (60,006 rounds to 60,01) and 40,00 (40,004), sum 100,01: no remainder;
    0,05 kr split 1/3 each (0,3333, 0,3333, 0,3334) gives 0,02 + 0,02 + 0,01 = 0,05 once
    the largest share's 0,02 takes the −0,01 remainder (0,0167 rounds to 0,02 three times).

    A row with one successor (nearly all: a board nothing maps, or one moved whole) is
    copied as booked, with no multiplication and no window: on 585 000 rows (the 3-year
    demo's fct_ledger four times over, 12 years, three boards divided) the table took
    ~0,85 s against ~2,0 s when every row went through decimal(38, 22) and the window
    (a plain copy: ~0,3 s).

    Lineage: original_namnd_code (the board as booked) and batch_id (the delivery) of the
    fct_ledger row, and mapping_batch_id (the delivery of organisationsmappning.csv it
    was restated with; null while no mapping is delivered). The activity stays as booked
    (verksamhet_key is the original board's activity in dim_verksamhet: activity codes
    are a board's own), and so does Motpart.

    Incremental per booked (nämnd, period) like fct_ledger (macros/ledger_sums.sql): a
    key is restated again when its winning ledger batch is not the one it holds, or when
    it was restated with another mapping than the current one (a new or retracted
    mapping delivery restates every key, once). As a full table it cost the nightly
    build 2,2-2,7 s at 10 years (~1,3 M rows); a month's keys cost hundredths.
-#}
{%- set mapping_batch -%}
    (select max(batch_id) from {{ ref('int_organisation_mapping_current') }})
{%- endset -%}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['original_namnd_code', 'period'],
        on_schema_change='fail',
        post_hook=["{{ ledger_keys_retracted('original_namnd_code') }}"],
    )
}}

with

batches_to_read as (

    {{ ledger_batches_to_read(
        'original_namnd_code',
        'existing.mapping_batch_id is not distinct from ' ~ mapping_batch
    ) }}

),

ledger as (

    select fct_ledger.*
    from {{ ref('fct_ledger') }} as fct_ledger
    inner join batches_to_read
        on
            fct_ledger.namnd_code = batches_to_read.namnd_code
            and fct_ledger.period = batches_to_read.period
            and fct_ledger.batch_id = batches_to_read.batch_id

),

shares as (

    select * from {{ ref('int_ledger_restatement_shares') }}

),

pieces as (

    select
        ledger.namnd_code as original_namnd_code,
        shares.namnd_code,
        ledger.verksamhet_code,
        ledger.konto,
        ledger.period,
        ledger.motpart_namnd_code,
        ledger.verksamhet_key,
        ledger.konto_key,
        ledger.period_key,
        ledger.amount as booked_amount,
        shares.restated_share,
        shares.share_rank,
        shares.successor_count,
        ledger.line_count,
        ledger.batch_id,
        ledger.recorded_at,
        -- a multiplication in decimal(38, 22) costs; a row copied whole needs none
        case
            when shares.successor_count = 1 then ledger.amount
            else cast(round(ledger.amount * shares.restated_share, 2) as decimal(18, 2))
        end as rounded_amount
    from ledger
    inner join shares
        on
            ledger.namnd_code = shares.original_namnd_code
            and ledger.period = shares.period

),

-- Nearly every row has one successor (share 1: itself, or the one code it moved to)
-- and is copied whole; only divided rows need the sum over their pieces (a window over
-- all ~600 000 rows of ten years cost ~2 s of a nightly build, on these few nothing).
remainders as (

    {{ rounding_remainders([
        'original_namnd_code', 'verksamhet_code', 'konto', 'motpart_namnd_code', 'period'
    ]) }}

)

select
    -- keys
    {{ dimension_key(['namnd_code']) }} as namnd_key,
    {{ dimension_key(['original_namnd_code']) }} as original_namnd_key,
    verksamhet_key,
    konto_key,
    period_key,
    namnd_code,
    original_namnd_code,
    verksamhet_code,
    konto,
    period,
    motpart_namnd_code,

    -- amounts
    cast(
        rounded_amount + case when share_rank = 1 then rounding_remainder else 0 end
        as decimal(18, 2)
    ) as amount,
    booked_amount,
    cast(restated_share as decimal(38, 20)) as restated_share,
    line_count,

    -- lineage
    batch_id,

    -- times
    recorded_at,

    -- lineage: the organisation mapping's delivery, last so the older columns keep their places
    {{ mapping_batch }} as mapping_batch_id

from remainders
