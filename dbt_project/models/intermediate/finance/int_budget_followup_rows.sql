{#-
    Step 4 of rpt_budget_followup: the rows of every report with their figures, before
    names and deviation.
    - The rows of a board's year: every (verksamhet, slag) with a source amount in any
      of its reports, and every verksamhet above it (int_verksamhet_ancestors); a code
      the register lacks is still its own row. A verksamhet includes its children at
      any depth.
    - One is_total row per slag, summed from the source amounts themselves: each amount
      once, whatever the depth.
    - Netto = Intäkter - Kostnader, for every row that has either.
    - A figure is null where its source says nothing for the report (no decision, no
      forecast, no previous year: `known`).
-#}
with

report_periods as (

    select * from {{ ref('int_budget_followup_report_periods') }}

),

measures as (

    select * from {{ ref('int_budget_followup_measures') }}

),

ancestors as (

    select * from {{ ref('int_verksamhet_ancestors') }}

),

-- Which figures a report has at all: a missing source is null, not 0.
known as (

    select
        namnd_code,
        year,
        through_period,
        max(case when measure = 'budget' then 1 else 0 end) = 1 as has_budget,
        max(case when measure = 'forecast' then 1 else 0 end) = 1 as has_forecast,
        max(case when measure = 'previous_year' then 1 else 0 end) = 1 as has_previous_year
    from measures
    group by namnd_code, year, through_period

),

-- The rows of a board's year: every (verksamhet, slag) with a source amount in any of
-- its reports, and every verksamhet above it.
sourced_keys as (

    select distinct
        namnd_code,
        year,
        verksamhet_code,
        slag
    from measures

),

row_keys as (

    select
        sourced_keys.namnd_code,
        sourced_keys.year,
        ancestors.ancestor_code as verksamhet_code,
        sourced_keys.slag
    from sourced_keys
    inner join ancestors
        on
            sourced_keys.namnd_code = ancestors.namnd_code
            and sourced_keys.verksamhet_code = ancestors.verksamhet_code

    union

    -- a code the register lacks still is its own row
    select
        namnd_code,
        year,
        verksamhet_code,
        slag
    from sourced_keys

),

total_keys as (

    select distinct
        namnd_code,
        year,
        slag
    from row_keys

),

rolled_up as (

    select
        measures.namnd_code,
        measures.year,
        measures.through_period,
        measures.slag,
        coalesce(ancestors.ancestor_code, measures.verksamhet_code) as verksamhet_code,
        sum(measures.adjusted_budget) as adjusted_budget,
        sum(measures.booked_ytd) as booked_ytd,
        sum(measures.forecast) as forecast,
        sum(measures.previous_year_outcome) as previous_year_outcome
    from measures
    left join ancestors
        on
            measures.namnd_code = ancestors.namnd_code
            and measures.verksamhet_code = ancestors.verksamhet_code
    group by
        measures.namnd_code,
        measures.year,
        measures.through_period,
        coalesce(ancestors.ancestor_code, measures.verksamhet_code),
        measures.slag

),

detail as (

    select
        report_periods.namnd_code,
        report_periods.year,
        report_periods.through_period,
        row_keys.verksamhet_code,
        false as is_total,
        row_keys.slag,
        coalesce(rolled_up.adjusted_budget, 0) as adjusted_budget,
        coalesce(rolled_up.booked_ytd, 0) as booked_ytd,
        coalesce(rolled_up.forecast, 0) as forecast,
        coalesce(rolled_up.previous_year_outcome, 0) as previous_year_outcome
    from report_periods
    inner join row_keys
        on
            report_periods.namnd_code = row_keys.namnd_code
            and report_periods.year = row_keys.year
    left join rolled_up
        on
            report_periods.namnd_code = rolled_up.namnd_code
            and report_periods.through_period = rolled_up.through_period
            and row_keys.verksamhet_code = rolled_up.verksamhet_code
            and row_keys.slag = rolled_up.slag

),

-- Sum rows from the source amounts themselves: each amount once, whatever the depth.
totals as (

    select
        report_periods.namnd_code,
        report_periods.year,
        report_periods.through_period,
        cast(null as {{ dbt.type_string() }}) as verksamhet_code,
        true as is_total,
        total_keys.slag,
        coalesce(sum(measures.adjusted_budget), 0) as adjusted_budget,
        coalesce(sum(measures.booked_ytd), 0) as booked_ytd,
        coalesce(sum(measures.forecast), 0) as forecast,
        coalesce(sum(measures.previous_year_outcome), 0) as previous_year_outcome
    from report_periods
    inner join total_keys
        on
            report_periods.namnd_code = total_keys.namnd_code
            and report_periods.year = total_keys.year
    left join measures
        on
            report_periods.namnd_code = measures.namnd_code
            and report_periods.through_period = measures.through_period
            and total_keys.slag = measures.slag
    group by
        report_periods.namnd_code,
        report_periods.year,
        report_periods.through_period,
        total_keys.slag

),

operating as (

    select * from detail
    union all
    select * from totals

),

-- Nettoresultat = Intäkter - Kostnader, for every row that has either.
net as (

    select
        namnd_code,
        year,
        through_period,
        verksamhet_code,
        is_total,
        'Netto' as slag,
        sum(
            case when slag = 'Intäkter' then adjusted_budget else -adjusted_budget end
        ) as adjusted_budget,
        sum(case when slag = 'Intäkter' then booked_ytd else -booked_ytd end) as booked_ytd,
        sum(case when slag = 'Intäkter' then forecast else -forecast end) as forecast,
        sum(
            case
                when slag = 'Intäkter' then previous_year_outcome
                else -previous_year_outcome
            end
        ) as previous_year_outcome
    from operating
    where slag in ('Kostnader', 'Intäkter')
    group by
        namnd_code,
        year,
        through_period,
        verksamhet_code,
        is_total

),

all_rows as (

    select * from operating
    union all
    select * from net

)

select
    all_rows.namnd_code,
    all_rows.year,
    all_rows.through_period,
    report_periods.closes_report,
    report_periods.month,
    report_periods.last_date,
    all_rows.verksamhet_code,
    all_rows.is_total,
    all_rows.slag,
    all_rows.booked_ytd,
    case when known.has_budget then all_rows.adjusted_budget end as adjusted_budget,
    case when known.has_forecast then all_rows.forecast end as forecast,
    case
        when known.has_previous_year then all_rows.previous_year_outcome
    end as previous_year_outcome
from all_rows
inner join report_periods
    on
        all_rows.namnd_code = report_periods.namnd_code
        and all_rows.through_period = report_periods.through_period
inner join known
    on
        all_rows.namnd_code = known.namnd_code
        and all_rows.through_period = known.through_period
