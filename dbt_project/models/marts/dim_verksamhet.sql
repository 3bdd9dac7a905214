{#-
    The activities (verksamheter) of each board as its newest delivery describes them:
    one row per (namnd, verksamhet). A child with a parent (Överordnad) is a "varav"
    line: reports show the parent including it and the child below it.

    If a delivery lists a code more than once (e.g. a renamed activity with two
    validity spans), the row valid last gives the name and parent, and the validity
    spans the earliest start to the latest end (open if any span is open).
    Codes a fact (ledger, budget, forecast) uses but the register does not know get an
    inferred member; a missing code gets the Unknown member.
-#}
with

verksamheter as (

    select * from {{ ref('int_verksamheter_current') }}

),

latest_row as (

    select
        namnd_code,
        verksamhet_code,
        verksamhet_name,
        parent_verksamhet_code,
        row_number() over (
            partition by namnd_code, verksamhet_code
            order by valid_from desc nulls last, line_number desc
        ) as recency
    from verksamheter

),

validity as (

    select
        namnd_code,
        verksamhet_code,
        min(valid_from) as valid_from,
        case when count(*) = count(valid_to) then max(valid_to) end as valid_to
    from verksamheter
    group by namnd_code, verksamhet_code

),

registered as (

    select
        validity.namnd_code,
        validity.verksamhet_code,
        latest_row.verksamhet_name,
        latest_row.parent_verksamhet_code,
        validity.valid_from,
        validity.valid_to
    from validity
    inner join latest_row
        on
            validity.namnd_code = latest_row.namnd_code
            and validity.verksamhet_code = latest_row.verksamhet_code
            and latest_row.recency = 1

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
