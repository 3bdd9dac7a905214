{#-
    The activities (verksamheter) of each board as its newest delivery describes them:
    one row per (namnd, verksamhet). A child with a parent (Överordnad) is a "varav"
    line: reports show the parent including it and the child below it.

    If a delivery lists a code more than once, the row valid last gives the name and
    parent (int_verksamheter_registered).
    Codes a fact (ledger, budget, forecast) uses but the register does not know get an
    inferred member; a missing code gets the Unknown member.
-#}
with

registered as (

    select
        namnd_code,
        verksamhet_code,
        verksamhet_name,
        parent_verksamhet_code,
        valid_from,
        valid_to
    from {{ ref('int_verksamheter_registered') }}

),

fact_codes as (

    select
        namnd_code,
        verksamhet_code
    from {{ ref('fct_ledger') }}
    union
    select
        namnd_code,
        verksamhet_code
    from {{ ref('fct_budget') }}
    union
    select
        namnd_code,
        verksamhet_code
    from {{ ref('fct_forecast') }}

),

inferred as (

    select distinct
        fact_codes.namnd_code,
        fact_codes.verksamhet_code
    from fact_codes
    where
        fact_codes.namnd_code is not null
        and fact_codes.verksamhet_code is not null
        and not exists (
            select 1
            from registered
            where
                registered.namnd_code = fact_codes.namnd_code
                and registered.verksamhet_code = fact_codes.verksamhet_code
        )

),

members as (

    select
        {{ surrogate_key(['namnd_code', 'verksamhet_code']) }} as verksamhet_key,
        namnd_code,
        verksamhet_code,
        verksamhet_name,
        parent_verksamhet_code,
        parent_verksamhet_code is not null as is_varav,
        valid_from,
        valid_to,
        false as is_inferred
    from registered

    union all

    select
        {{ surrogate_key(['namnd_code', 'verksamhet_code']) }} as verksamhet_key,
        namnd_code,
        verksamhet_code,
        'Okänd' as verksamhet_name,
        cast(null as {{ dbt.type_string() }}) as parent_verksamhet_code,
        false as is_varav,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        true as is_inferred
    from inferred

),

unknown_member as (

    select
        {{ unknown_member_key(2) }} as verksamhet_key,
        '-1' as namnd_code,
        '-1' as verksamhet_code,
        'Okänd' as verksamhet_name,
        cast(null as {{ dbt.type_string() }}) as parent_verksamhet_code,
        false as is_varav,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        false as is_inferred

)

select * from members
union all
select * from unknown_member
