{#-
    Freshness at a glance: per source and board, the newest period the warehouse holds,
    and which delivery (batch, file, when) brought it. Read from the current deliveries
    (int_deliveries_ranked, rank 1), so a superseded file never counts and whatever
    decides what counts (acceptance today) decides freshness too.
    Periods differ by source: ledger, payroll and sick leave are months (YYYYMM);
    forecasts and indicators a report of a year (T1 closes April, T2 August, VB
    December; forecasts also M01..M12); the staff survey a year; budget a year of
    decisions. through_month puts them on one scale: the last month the period covers.
-#}
with

current_deliveries as (

    select
        source_name,
        supersession_key,
        namnd_code,
        period,
        batch_id,
        recorded_at
    from {{ ref('int_deliveries_ranked') }}
    where delivery_rank = 1

),

-- A budget decision's key is its id, not a board: the boards come from its rows.
budget_boards as (

    select distinct
        decisions.batch_id,
        decisions.namnd_code,
        decisions.year
    from {{ ref('stg_budget__decisions') }} as decisions
    inner join current_deliveries
        on
            decisions.batch_id = current_deliveries.batch_id
            and current_deliveries.source_name = 'budget'

),

-- where the year and the report sit in each source's key text (from the registry)
key_parts as (

    select
        source_name,
        year_part,
        report_part
    from {{ ref('stg_events__key_parts') }}

),

keyed as (

    select
        current_deliveries.source_name,
        current_deliveries.namnd_code,
        current_deliveries.batch_id,
        current_deliveries.recorded_at,
        current_deliveries.period,
        cast(
            {{ dbt.split_part(
                'current_deliveries.supersession_key', "'|'", 'key_parts.year_part'
            ) }} as integer
        ) as year,
        {{ dbt.split_part(
            'current_deliveries.supersession_key', "'|'", 'key_parts.report_part'
        ) }} as report
    from current_deliveries
    left join key_parts
        on current_deliveries.source_name = key_parts.source_name
    where current_deliveries.source_name != 'budget'

    union all

    select
        'budget' as source_name,
        budget_boards.namnd_code,
        budget_boards.batch_id,
        current_deliveries.recorded_at,
        null as period,
        budget_boards.year,
        null as report
    from budget_boards
    inner join current_deliveries
        on
            budget_boards.batch_id = current_deliveries.batch_id
            and current_deliveries.source_name = 'budget'

),

periods as (

    select
        source_name,
        namnd_code,
        batch_id,
        recorded_at,
        case
            when period is not null then cast(period as varchar)
            when report is not null then cast(year as varchar) || ' ' || report
            when year is not null then cast(year as varchar)
        end as newest_period,
        case
            when period is not null then period
            when report = 'T1' then year * 100 + 4
            when report = 'T2' then year * 100 + 8
            when report = 'VB' then year * 100 + 12
            -- forecasts of a month: M01..M12
            when report like 'M%' then year * 100 + cast(substring(report, 2, 2) as integer)
            when year is not null then year * 100 + 12
        end as through_month
    from keyed

),

ranked as (

    select
        *,
        row_number() over (
            partition by source_name, namnd_code
            order by through_month desc nulls last, batch_id desc
        ) as newest_rank,
        max(recorded_at) over (partition by source_name, namnd_code) as last_recorded_at,
        count(*) over (partition by source_name, namnd_code) as current_keys
    from periods

)

select
    ranked.source_name,
    ranked.namnd_code,
    ranked.newest_period,
    ranked.through_month,
    ranked.batch_id,
    batches.file_name,
    ranked.recorded_at,
    ranked.last_recorded_at,
    ranked.current_keys
from ranked
inner join {{ ref('stg_events__batches') }} as batches
    on ranked.batch_id = batches.batch_id
where ranked.newest_rank = 1
