{#-
    The activities (verksamheter) of each board with their history (SCD type 2), as the
    board's newest delivery of verksamheter.csv describes them: one row per version, a
    row of the register (Nämnd, Verksamhet, Giltig från). A renamed activity is listed
    twice under its code (the old name ended with Giltig till, the new one from the next
    day); a closed activity whose work goes on under another code names it in
    Efterträdare (issue 17).

    valid_from and valid_to are the register's Giltig från and Giltig till, both
    inclusive as delivered (the ledger's check, Reference.verksamhet_spans, reads them so);
    a version without Giltig till that a later version of its code follows ends the day
    before it. (dim_namnd's valid_to is exclusive: organisation events have a date of
    change, the activity register has days of validity.)

    Keys: verksamhet_key is md5 of (namnd, verksamhet), the same on every version, so the
    facts keep one durable key (macros/surrogate_key.sql, fct_ledger);
    verksamhet_version_key is the version's own key (md5 of namnd, verksamhet and
    valid_from). Join facts on verksamhet_key and is_current for one row per activity
    with today's name, RS code and parent, or on verksamhet_key and valid_from <= date
    <= coalesce(valid_to, date) for the version of that date. is_current marks the newest
    version (by Giltig från, then line) even when the activity has ended (is_active
    false), so the join on is_current never loses a fact of a closed activity.

    today_verksamhet_code follows Efterträdare from the current version to the activity
    that carries the work today (a chain of renames: 210 -> 211 -> 212 gives 212); an
    activity without a successor maps to itself. The loader rejects a register whose
    chain comes back on itself (sources/verksamheter: successor_cycles); the 20-step
    stop is a guard only.

    rs_code is the version's RS-kod (SCB's Räkenskapssammandraget, seed
    rs_verksamhetsomraden, a leaf by the loader's rule); rs_area_code is the sum ('summa')
    it rolls up into, e.g. 440 Grundskola in 490 PEDAGOGISK VERKSAMHET, TOTALT.

    Codes a fact (ledger, budget, forecast) uses but the register does not know get an
    inferred member; a missing code gets the Unknown member. The columns of issue 17
    (from verksamhet_version_key on) come after is_inferred, so the older columns keep
    their places for readers that select by position.
-#}
{%- set max_chain_length = 20 -%}

with recursive

registered as (

    select
        namnd_code,
        verksamhet_code,
        verksamhet_name,
        parent_verksamhet_code,
        successor_verksamhet_code,
        rs_code,
        valid_from,
        valid_to,
        line_number
    from {{ ref('int_verksamheter_current') }}

),

ordered as (

    select
        *,
        lead(valid_from) over code_history as next_valid_from,
        row_number() over (
            partition by namnd_code, verksamhet_code
            order by valid_from desc nulls last, line_number desc
        ) = 1 as is_current
    from registered
    window code_history as (
        partition by namnd_code, verksamhet_code
        order by valid_from asc nulls first, line_number asc
    )

),

versioned as (

    select
        namnd_code,
        verksamhet_code,
        verksamhet_name,
        parent_verksamhet_code,
        successor_verksamhet_code,
        rs_code,
        valid_from,
        is_current,
        coalesce(
            valid_to,
            case when not is_current then cast(next_valid_from - interval 1 day as date) end
        ) as valid_to
    from ordered

),

-- Per code, whether its newest version is still open: an activity with a Giltig till
-- on its newest version has ended, whatever the date of the build.
activity_state as (

    select
        namnd_code,
        verksamhet_code,
        successor_verksamhet_code,
        valid_to is null as is_active
    from versioned
    where is_current

),

successor_chain (namnd_code, verksamhet_code, today_verksamhet_code, hops) as (

    select
        namnd_code,
        verksamhet_code,
        verksamhet_code as today_verksamhet_code,
        0 as hops
    from activity_state

    union all

    select
        successor_chain.namnd_code,
        successor_chain.verksamhet_code,
        ended.successor_verksamhet_code as today_verksamhet_code,
        successor_chain.hops + 1 as hops
    from successor_chain
    inner join activity_state as ended
        on
            successor_chain.namnd_code = ended.namnd_code
            and successor_chain.today_verksamhet_code = ended.verksamhet_code
    where
        ended.successor_verksamhet_code is not null
        and successor_chain.hops < {{ max_chain_length }}
        and exists (
            select 1
            from activity_state as successor
            where
                successor.namnd_code = ended.namnd_code
                and successor.verksamhet_code = ended.successor_verksamhet_code
        )

),

today as (

    select
        namnd_code,
        verksamhet_code,
        today_verksamhet_code,
        row_number() over (
            partition by namnd_code, verksamhet_code order by hops desc
        ) as chain_rank
    from successor_chain

),

rs as (

    {{ rs_classification() }}

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
        {{ surrogate_key(['versioned.namnd_code', 'versioned.verksamhet_code']) }}
            as verksamhet_key,
        versioned.namnd_code,
        versioned.verksamhet_code,
        versioned.verksamhet_name,
        versioned.parent_verksamhet_code,
        versioned.parent_verksamhet_code is not null as is_varav,
        versioned.valid_from,
        versioned.valid_to,
        false as is_inferred,
        {{
            surrogate_key(['versioned.namnd_code', 'versioned.verksamhet_code', 'versioned.valid_from'])
        }} as verksamhet_version_key,
        versioned.is_current,
        activity_state.is_active,
        versioned.successor_verksamhet_code,
        today.today_verksamhet_code,
        versioned.rs_code,
        rs.rs_name,
        rs.rs_area_code,
        rs.rs_area_name
    from versioned
    inner join activity_state
        on
            versioned.namnd_code = activity_state.namnd_code
            and versioned.verksamhet_code = activity_state.verksamhet_code
    inner join today
        on
            versioned.namnd_code = today.namnd_code
            and versioned.verksamhet_code = today.verksamhet_code
            and today.chain_rank = 1
    left join rs
        on versioned.rs_code = rs.rs_code

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
        true as is_inferred,
        {{ surrogate_key(['namnd_code', 'verksamhet_code', 'cast(null as date)']) }}
            as verksamhet_version_key,
        true as is_current,
        true as is_active,
        cast(null as {{ dbt.type_string() }}) as successor_verksamhet_code,
        verksamhet_code as today_verksamhet_code,
        cast(null as {{ dbt.type_string() }}) as rs_code,
        cast(null as {{ dbt.type_string() }}) as rs_name,
        cast(null as {{ dbt.type_string() }}) as rs_area_code,
        cast(null as {{ dbt.type_string() }}) as rs_area_name
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
        false as is_inferred,
        {{ unknown_member_key(3) }} as verksamhet_version_key,
        true as is_current,
        true as is_active,
        cast(null as {{ dbt.type_string() }}) as successor_verksamhet_code,
        '-1' as today_verksamhet_code,
        cast(null as {{ dbt.type_string() }}) as rs_code,
        cast(null as {{ dbt.type_string() }}) as rs_name,
        cast(null as {{ dbt.type_string() }}) as rs_area_code,
        cast(null as {{ dbt.type_string() }}) as rs_area_name

)

select * from members
union all
select * from unknown_member
