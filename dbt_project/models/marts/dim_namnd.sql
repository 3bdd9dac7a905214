{#-
    The boards (nämnder) and their departments with their full history (SCD type 2):
    one row per version of a code, valid from valid_from up to but not including
    valid_to. A version starts with Skapad or Namnbyte (a new name, type or parent) and
    ends with the next event of the code; Nedlagd, Sammanslagen and Delad end the unit
    and name where its activity went (Efterträdare).

    Keys: namnd_key is md5 of the code alone, the same on every version, so facts keep
    one durable key (see macros/surrogate_key.sql); namnd_version_key is the version's
    own key. Join facts on namnd_key and is_current for one row per board with today's
    name, or on namnd_key and valid_from <= date < valid_to for the name of that date.
    is_current marks the newest version of each code even when the unit has ended
    (is_active false), so the join on is_current never loses a fact of a dissolved unit.

    today_namnd_code follows the successor chain to the unit that carries the activity
    today (2007: 1011 -> 1021, 1015 -> 1026); a split unit follows its first listed
    successor, the one the register names first (1014 -> 139, 140: 139). A unit ended
    without a successor maps to itself.

    Codes a fact uses but the register does not know (the loader rejects them, so only a
    later register change can cause this) get an inferred member; a missing code gets
    the Unknown member.
-#}
{%- set ending_events = "('Nedlagd', 'Sammanslagen', 'Delad')" -%}
{%- set max_chain_length = 20 -%}

with recursive

events as (

    select
        *,
        event_type in {{ ending_events }} as is_ending
    from {{ ref('int_organisation_events_current') }}

),

-- Several events of one code on one date make one change: the newest event that is not
-- an ending gives the state after that date; the newest ending gives the successors.
ranked_events as (

    select
        *,
        row_number() over (
            partition by namnd_code, event_date
            order by
                case when is_ending then 1 else 0 end,
                batch_id desc,
                line_number desc
        ) as state_rank,
        row_number() over (
            partition by namnd_code, event_date
            order by
                case when is_ending then 0 else 1 end,
                batch_id desc,
                line_number desc
        ) as ending_rank
    from events

),

changes as (

    select
        state.namnd_code,
        state.event_date,
        state.namnd_name,
        state.namnd_type,
        state.parent_namnd_code,
        state.is_ending,
        ending.successor_codes,
        row_number() over code_history as change_number,
        lead(state.event_date) over code_history as next_change_date,
        lead(state.is_ending) over code_history as next_is_ending,
        lead(ending.successor_codes) over code_history as next_successor_codes,
        last_value(state.is_ending) over (
            code_history rows between unbounded preceding and unbounded following
        ) as has_ended
    from ranked_events as state
    left join ranked_events as ending
        on
            state.namnd_code = ending.namnd_code
            and state.event_date = ending.event_date
            and ending.ending_rank = 1
            and ending.is_ending
    where state.state_rank = 1
    window code_history as (partition by state.namnd_code order by state.event_date)

),

-- A code whose first event already ends it (the register never recorded its Skapad)
-- still gets one version, of unknown start, so its facts keep a row.
registered as (

    select
        namnd_code,
        namnd_name,
        namnd_type,
        parent_namnd_code,
        case when not is_ending then event_date end as valid_from,
        case when is_ending then event_date else next_change_date end as valid_to,
        case
            when is_ending then successor_codes
            when next_is_ending then next_successor_codes
        end as successor_codes,
        not has_ended as is_active
    from changes
    where not is_ending or change_number = 1

),

versioned as (

    select
        *,
        row_number() over (
            partition by namnd_code order by valid_from desc nulls last
        ) = 1 as is_current
    from registered

),

-- Follow the first successor of each ended unit until a unit that is active, has no
-- successor in the register, or the chain is implausibly long (a cycle).
successor_chain (namnd_code, today_namnd_code, hops) as (

    select
        namnd_code,
        namnd_code as today_namnd_code,
        0 as hops
    from versioned
    where is_current

    union all

    select
        successor_chain.namnd_code,
        ended.successor_codes[1] as today_namnd_code,
        successor_chain.hops + 1 as hops
    from successor_chain
    inner join versioned as ended
        on
            successor_chain.today_namnd_code = ended.namnd_code
            and ended.is_current
            and not ended.is_active
    where
        successor_chain.hops < {{ max_chain_length }}
        and exists (
            select 1
            from versioned as successor
            where successor.namnd_code = ended.successor_codes[1]
        )

),

today as (

    select
        namnd_code,
        today_namnd_code,
        row_number() over (partition by namnd_code order by hops desc) as chain_rank
    from successor_chain

),

fact_codes as (

    select namnd_code from {{ ref('fct_ledger') }}
    union
    select motpart_namnd_code from {{ ref('fct_ledger') }}
    union
    select namnd_code from {{ ref('fct_budget') }}
    union
    select namnd_code from {{ ref('fct_forecast') }}

),

inferred as (

    select distinct fact_codes.namnd_code
    from fact_codes
    where
        fact_codes.namnd_code is not null
        and not exists (
            select 1
            from registered
            where registered.namnd_code = fact_codes.namnd_code
        )

),

members as (

    select
        {{ surrogate_key(['versioned.namnd_code', 'versioned.valid_from']) }}
            as namnd_version_key,
        {{ surrogate_key(['versioned.namnd_code']) }} as namnd_key,
        versioned.namnd_code,
        versioned.namnd_name,
        versioned.namnd_type,
        versioned.parent_namnd_code,
        versioned.valid_from,
        versioned.valid_to,
        versioned.is_current,
        versioned.is_active,
        versioned.successor_codes,
        today.today_namnd_code,
        {{ surrogate_key(['today.today_namnd_code']) }} as today_namnd_key,
        false as is_inferred
    from versioned
    inner join today
        on
            versioned.namnd_code = today.namnd_code
            and today.chain_rank = 1

    union all

    select
        {{ surrogate_key(['namnd_code', 'cast(null as date)']) }} as namnd_version_key,
        {{ surrogate_key(['namnd_code']) }} as namnd_key,
        namnd_code,
        'Okänd' as namnd_name,
        cast(null as {{ dbt.type_string() }}) as namnd_type,
        cast(null as {{ dbt.type_string() }}) as parent_namnd_code,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        true as is_current,
        true as is_active,
        cast(null as varchar[]) as successor_codes,
        namnd_code as today_namnd_code,
        {{ surrogate_key(['namnd_code']) }} as today_namnd_key,
        true as is_inferred
    from inferred

),

unknown_member as (

    select
        {{ unknown_member_key(2) }} as namnd_version_key,
        {{ unknown_member_key(1) }} as namnd_key,
        '-1' as namnd_code,
        'Okänd' as namnd_name,
        cast(null as {{ dbt.type_string() }}) as namnd_type,
        cast(null as {{ dbt.type_string() }}) as parent_namnd_code,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        true as is_current,
        true as is_active,
        cast(null as varchar[]) as successor_codes,
        '-1' as today_namnd_code,
        {{ unknown_member_key(1) }} as today_namnd_key,
        false as is_inferred

)

select * from members
union all
select * from unknown_member
