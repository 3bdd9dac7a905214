{#-
    One row per account that appears in the ledger, classified for the boards'
    operating follow-up (Kommun-Bas, macros/kommunbas.sql):
    Kostnader = classes 4-7 and group 85 (financial costs, e.g. internal interest);
    Intäkter = class 3 and group 84 (financial income);
    Investering = group 12 (machines and equipment);
    everything else (balance sheet, groups 80-83 that belong to the city as a whole,
    the year's result) is not followed up per board.
    followup_sign turns a booked amount (debit/cost positive, revenue negative) into
    the positive figure of the follow-up: amount * followup_sign.
-#}
with

accounts as (

    select distinct konto
    from {{ ref('fct_ledger') }}
    where konto is not null

),

kontogrupper as (

    select
        level,
        code,
        name
    from {{ ref('kommunbas_kontogrupper') }}

),

parsed as (

    select
        konto,
        {{ kontoklass('konto') }} as kontoklass,
        {{ kontogrupp('konto') }} as kontogrupp
    from accounts

),

classified as (

    select
        konto,
        kontoklass,
        kontogrupp,
        {{ followup_slag('kontoklass', 'kontogrupp') }} as followup_slag
    from parsed

),

named as (

    select
        {{ surrogate_key(['classified.konto']) }} as konto_key,
        classified.konto,
        classified.kontoklass,
        klass.name as kontoklass_name,
        classified.kontogrupp,
        grupp.name as kontogrupp_name,
        classified.followup_slag,
        {{ followup_sign('classified.followup_slag') }} as followup_sign
    from classified
    left join kontogrupper as klass
        on
            klass.level = 'kontoklass'
            and cast(classified.kontoklass as {{ dbt.type_string() }}) = klass.code
    left join kontogrupper as grupp
        on
            grupp.level = 'kontogrupp'
            and classified.kontogrupp = grupp.code

),

unknown_member as (

    select
        {{ unknown_member_key(1) }} as konto_key,
        '-1' as konto,
        cast(null as integer) as kontoklass,
        'Okänd' as kontoklass_name,
        cast(null as {{ dbt.type_string() }}) as kontogrupp,
        'Okänd' as kontogrupp_name,
        cast(null as {{ dbt.type_string() }}) as followup_slag,
        cast(null as integer) as followup_sign

)

select * from named
union all
select * from unknown_member
