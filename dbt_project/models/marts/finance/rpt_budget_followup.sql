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

    Built in named intermediate steps (models/intermediate/finance/):
    int_budget_followup_booked_months -> int_budget_followup_report_periods ->
    int_budget_followup_measures -> int_budget_followup_rows (with
    int_verksamhet_ancestors); this model adds the names, the report label and the
    deviation.
-#}
with

-- compared: what the deviation sets against the budget, the forecast during the year
-- and the booked outcome in the VB (December) report.
reported as (

    select
        *,
        case when month = 12 then booked_ytd else forecast end as compared
    from {{ ref('int_budget_followup_rows') }}

),

verksamheter as (

    select
        namnd_code,
        verksamhet_code,
        verksamhet_name,
        parent_verksamhet_code
    from {{ ref('dim_verksamhet') }}
    -- One row per activity: its newest version (dim_verksamhet keeps every version).
    where is_current

),

board_names as (

    select
        namnd_code,
        namnd_name,
        valid_from,
        valid_to,
        is_current
    from {{ ref('dim_namnd') }}

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
