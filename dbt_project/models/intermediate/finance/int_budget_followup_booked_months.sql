{#-
    Step 1 of rpt_budget_followup: the booked outcome per (nämnd, year, month,
    verksamhet, slag) in the follow-up's positive figures (amount * followup_sign, the
    Kommun-Bas classification of macros/kommunbas.sql), for the slags the follow-up
    shows. A period outside the calendar (int_calendar_months) is left out.

    A table, not a view: the follow-up's later steps read it three times (report
    periods, the booked and the previous year's measures), and as a view each read
    summed int_ledger_summed again (101 000 rows on the 1-year benchmark city, 1,3 M at
    ten years) for ~10 000 rows of result a year.
-#}
{{ config(materialized='table') }}
{%- set slags = ['Kostnader', 'Intäkter', 'Investering'] -%}

with

periods as (

    select
        period_key,
        year,
        month
    from {{ ref('int_calendar_months') }}

),

account_slags as (

    {{ account_followup_slags(ref('int_ledger_summed')) }}

),

ledger as (

    select
        summed.namnd_code,
        summed.verksamhet_code,
        summed.period,
        summed.amount,
        account_slags.followup_slag
    from {{ ref('int_ledger_summed') }} as summed
    inner join account_slags
        on summed.konto = account_slags.konto

)

select
    ledger.namnd_code,
    periods.year,
    periods.month,
    ledger.verksamhet_code,
    ledger.followup_slag as slag,
    sum(ledger.amount * {{ followup_sign('ledger.followup_slag') }}) as amount
from ledger
inner join periods
    on ledger.period = periods.period_key
where
    ledger.followup_slag in (
        '{{ slags | join("', '") }}'
    )
group by
    ledger.namnd_code,
    periods.year,
    periods.month,
    ledger.verksamhet_code,
    ledger.followup_slag
