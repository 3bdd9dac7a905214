{#-
    Step 1 of rpt_budget_followup: the booked outcome per (nämnd, year, month,
    verksamhet, slag) in the follow-up's positive figures (amount * followup_sign, the
    Kommun-Bas classification of macros/kommunbas.sql), for the slags the follow-up
    shows. A period outside the calendar (int_calendar_months) is left out.
-#}
{%- set slags = ['Kostnader', 'Intäkter', 'Investering'] -%}

with

periods as (

    select
        period_key,
        year,
        month
    from {{ ref('int_calendar_months') }}

),

ledger as (

    select
        namnd_code,
        verksamhet_code,
        period,
        amount,
        {{ followup_slag(kontoklass('konto'), kontogrupp('konto')) }} as followup_slag
    from {{ ref('int_ledger_summed') }}

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
