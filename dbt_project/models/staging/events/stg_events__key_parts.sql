{#-
    Per source, which part of its supersession-key text (the key columns joined by '|',
    events.supersession_keys.key) holds the board, the period, the year and the report.
    Read from the seed source_key_columns, which sources/registry.py generates from the
    contracts (tests/unit/test_dbt_registry.py keeps the two equal), so no SQL lists
    source names: a new source whose key is made of these columns needs no edit here.
    The parts are named by the event log's column names: namnd (board), period
    (YYYYMM), ar (year), prognostillfalle and rapport (the report of a year).
-#}
with

key_columns as (

    select
        source_name,
        key_position,
        key_column
    from {{ ref('source_key_columns') }}

)

select
    source_name,
    max(case when key_column = 'namnd' then key_position end) as namnd_part,
    max(case when key_column = 'period' then key_position end) as period_part,
    max(case when key_column = 'ar' then key_position end) as year_part,
    max(
        case when key_column in ('prognostillfalle', 'rapport') then key_position end
    ) as report_part
from key_columns
group by source_name
