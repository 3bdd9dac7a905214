{#-
    The boards' budget follow-up table ("Uppföljning per verksamhet"), in kronor: one
    row per (nämnd, year, through_period, verksamhet, slag) for every month from January
    up to the board's last booked month of the year, so the T1 (April), T2 (August) and
    VB (December) reports and every monthly one can be read back.

    - Kostnader, Intäkter and Investering are positive; Netto = Intäkter - Kostnader.
    - A verksamhet includes its children at any depth (dim_verksamhet's Överordnad);
      each child also has its own rows (the "varav" lines). The is_total row of a slag
      is the sum over every activity once, i.e. over the top-level rows.
    - adjusted_budget: the year's decisions with decision_date on or before the last
      day of through_period (fct_budget).
    - forecast: the newest forecast made at or before through_period (the greatest
      forecast_period <= through_period; at equal months T1/T2 before Mmm, then the
      newest delivery). A forecast delivery is complete for its board, so a row it
      lacks is forecast 0.
    - deviation is favourable positive: Kostnader and Investering budget - X, Intäkter
      and Netto X - budget, where X is the forecast during the year and the booked
      outcome in the VB (December) report.
    - A figure is null where its source says nothing for the board: no decision known
      yet, no forecast made yet, no booked month in the previous year.
    The set of rows of a board and year is the same in every through_period: each
    (verksamhet, slag) that has a budget, forecast or booking in the year or a booking
    in the previous year, with the verksamheter above it.
-#}
{%- set slags = ['Kostnader', 'Intäkter', 'Investering'] -%}

with recursive

periods as (

    select
        period_key,
        year,
        month,
        last_date,
        closes_report
    from {{ ref('dim_period') }}
    where period_key <> -1

),

verksamheter as (

    select
        namnd_code,
        verksamhet_code,
        verksamhet_name,
        parent_verksamhet_code
    from {{ ref('dim_verksamhet') }}

),

-- Every verksamhet with itself and each verksamhet above it; `union` (not `union all`)
-- ends the recursion even on a cycle in the register.
ancestors (namnd_code, verksamhet_code, ancestor_code) as (

    select
        namnd_code,
        verksamhet_code,
        verksamhet_code as ancestor_code
    from verksamheter

    union

    select
        ancestors.namnd_code,
        ancestors.verksamhet_code,
        parent.parent_verksamhet_code as ancestor_code
    from ancestors
    inner join verksamheter as parent
        on
            ancestors.namnd_code = parent.namnd_code
            and ancestors.ancestor_code = parent.verksamhet_code
    where parent.parent_verksamhet_code is not null

),

booked_months as (

    select
        ledger.namnd_code,
        periods.year,
        periods.month,
        ledger.verksamhet_code,
        konto.followup_slag as slag,
        sum(ledger.amount * konto.followup_sign) as amount
    from {{ ref('fct_ledger') }} as ledger
    inner join {{ ref('dim_konto') }} as konto
        on ledger.konto_key = konto.konto_key
    inner join periods
        on ledger.period_key = periods.period_key
    where
        konto.followup_slag in (
            '{{ slags | join("', '") }}'
        )
    group by
        ledger.namnd_code,
        periods.year,
        periods.month,
        ledger.verksamhet_code,
        konto.followup_slag

),

board_years as (

    select
        namnd_code,
        year,
        max(month) as last_month
    from booked_months
    group by namnd_code, year

),

report_periods as (

    select
        board_years.namnd_code,
        board_years.year,
        periods.period_key as through_period,
        periods.month,
        periods.last_date,
        periods.closes_report
    from board_years
    inner join periods
        on
            board_years.year = periods.year
            and board_years.last_month >= periods.month

),

budget_lines as (

    select
        namnd_code,
        year,
        verksamhet_code,
        slag,
        decision_date,
        amount
    from {{ ref('fct_budget') }}
    where slag in ('{{ slags | join("', '") }}')

),

forecast_lines as (

    select
        namnd_code,
        year,
        forecast_occasion,
        forecast_period,
        verksamhet_code,
        slag,
        amount,
        batch_id
    from {{ ref('fct_forecast') }}
    where slag in ('{{ slags | join("', '") }}')

),

forecast_occasions as (

    select
        namnd_code,
        year,
        forecast_occasion,
        forecast_period,
        max(batch_id) as batch_id
    from forecast_lines
    group by namnd_code, year, forecast_occasion, forecast_period

),

forecast_chosen as (

    select
        report_periods.namnd_code,
        report_periods.year,
        report_periods.through_period,
        occasions.forecast_occasion,
        row_number() over (
            partition by
                report_periods.namnd_code,
                report_periods.year,
                report_periods.through_period
            order by
                occasions.forecast_period desc,
                case when occasions.forecast_occasion like 'T%' then 0 else 1 end,
                occasions.batch_id desc
        ) as recency
    from report_periods
    inner join forecast_occasions as occasions
        on
            report_periods.namnd_code = occasions.namnd_code
            and report_periods.year = occasions.year
            and report_periods.through_period >= occasions.forecast_period

),

-- Every source amount of a report, at the grain of the sources' verksamhet.
measures as (

    select
        report_periods.namnd_code,
        report_periods.year,
        report_periods.through_period,
        budget_lines.verksamhet_code,
        budget_lines.slag,
        budget_lines.amount as adjusted_budget,
        0 as booked_ytd,
        0 as forecast,
        0 as previous_year_outcome,
        'budget' as measure
    from report_periods
    inner join budget_lines
        on
            report_periods.namnd_code = budget_lines.namnd_code
            and report_periods.year = budget_lines.year
            and (
                budget_lines.decision_date is null
                or report_periods.last_date >= budget_lines.decision_date
            )

    union all

    select
        report_periods.namnd_code,
        report_periods.year,
        report_periods.through_period,
        booked_months.verksamhet_code,
        booked_months.slag,
        0 as adjusted_budget,
        booked_months.amount as booked_ytd,
        0 as forecast,
        0 as previous_year_outcome,
        'booked' as measure
    from report_periods
    inner join booked_months
        on
            report_periods.namnd_code = booked_months.namnd_code
            and report_periods.year = booked_months.year
            and report_periods.month >= booked_months.month

    union all

    select
        forecast_chosen.namnd_code,
        forecast_chosen.year,
        forecast_chosen.through_period,
        forecast_lines.verksamhet_code,
        forecast_lines.slag,
        0 as adjusted_budget,
        0 as booked_ytd,
        forecast_lines.amount as forecast,
        0 as previous_year_outcome,
        'forecast' as measure
    from forecast_chosen
    inner join forecast_lines
        on
            forecast_chosen.namnd_code = forecast_lines.namnd_code
            and forecast_chosen.year = forecast_lines.year
            and forecast_chosen.forecast_occasion = forecast_lines.forecast_occasion
    where forecast_chosen.recency = 1

    union all

    select
        report_periods.namnd_code,
        report_periods.year,
        report_periods.through_period,
        booked_months.verksamhet_code,
        booked_months.slag,
        0 as adjusted_budget,
        0 as booked_ytd,
        0 as forecast,
        booked_months.amount as previous_year_outcome,
        'previous_year' as measure
    from report_periods
    inner join booked_months
        on
            report_periods.namnd_code = booked_months.namnd_code
            and report_periods.year - 1 = booked_months.year

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

    -- a code dim_verksamhet lacks still is its own row
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

),

board_names as (

    select
        namnd_code,
        namnd_name,
        valid_from,
        valid_to,
        is_current
    from {{ ref('dim_namnd') }}

),

figures as (

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

),

reported as (

    select
        figures.*,
        case
            when figures.month = 12 then figures.booked_ytd else figures.forecast
        end as compared
    from figures

)

select
    -- keys
    reported.namnd_code,
    coalesce(name_then.namnd_name, name_now.namnd_name, 'Okänd') as namnd_name,
    reported.year,
    reported.through_period,
    coalesce(
        reported.closes_report,
        'M' || lpad(cast(reported.month as {{ dbt.type_string() }}), 2, '0')
    ) as report,
    reported.verksamhet_code,
    case
        when not reported.is_total
            then coalesce(verksamheter.verksamhet_name, 'Okänd')
        when reported.slag = 'Kostnader' then 'Summa kostnader'
        when reported.slag = 'Intäkter' then 'Summa intäkter'
        when reported.slag = 'Netto' then 'Nettoresultat'
        else 'Summa investeringar'
    end as verksamhet_name,
    verksamheter.parent_verksamhet_code,
    reported.is_total,
    reported.slag,

    -- amounts
    cast(reported.adjusted_budget as decimal(18, 2)) as adjusted_budget,
    cast(reported.booked_ytd as decimal(18, 2)) as booked_ytd,
    cast(reported.forecast as decimal(18, 2)) as forecast,
    cast(
        case
            when reported.slag in ('Intäkter', 'Netto')
                then reported.compared - reported.adjusted_budget
            else reported.adjusted_budget - reported.compared
        end as decimal(18, 2)
    ) as deviation,
    cast(reported.previous_year_outcome as decimal(18, 2)) as previous_year_outcome

from reported
left join verksamheter
    on
        reported.namnd_code = verksamheter.namnd_code
        and reported.verksamhet_code = verksamheter.verksamhet_code
left join board_names as name_then
    on
        reported.namnd_code = name_then.namnd_code
        and reported.last_date >= name_then.valid_from
        and (name_then.valid_to is null or reported.last_date < name_then.valid_to)
left join board_names as name_now
    on
        reported.namnd_code = name_now.namnd_code
        and name_now.is_current
