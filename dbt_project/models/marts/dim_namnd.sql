{#-
    The boards (nämnder) and their departments as the organisation register knows them
    today: one row per code, with its current name, type and parent, the date it was
    created (Skapad) and the date it ended (Nedlagd or Sammanslagen; null while active),
    and where its activity went (Efterträdare). A later issue turns this into SCD2.

    Codes the ledger uses but the register does not know (the loader rejects them, so
    only a later register change can cause this) get an inferred member, so a fact's
    key (md5 of its code) always finds its row; a missing code gets the Unknown member.
-#}
with

events as (

    select * from {{ ref('int_organisation_events_current') }}

),

latest_event as (

    select
        namnd_code,
        namnd_name,
        namnd_type,
        parent_namnd_code,
        row_number() over (
            partition by namnd_code
            order by event_date desc, batch_id desc, line_number desc
        ) as recency
    from events

),

successor_event as (

    select
        namnd_code,
        successor_codes,
        row_number() over (
            partition by namnd_code
            order by event_date desc, batch_id desc, line_number desc
        ) as recency
    from events
    where event_type in ('Sammanslagen', 'Delad', 'Nedlagd')

),

lifecycle as (

    select
        namnd_code,
        min(event_date) as first_event_date,
        min(case when event_type = 'Skapad' then event_date end) as first_created_date,
        max(case when event_type = 'Skapad' then event_date end) as last_created_date,
        max(
            case when event_type in ('Nedlagd', 'Sammanslagen') then event_date end
        ) as last_ended_date
    from events
    group by namnd_code

),

registered as (

    select
        lifecycle.namnd_code,
        latest_event.namnd_name,
        latest_event.namnd_type,
        latest_event.parent_namnd_code,
        successor_event.successor_codes,
        coalesce(lifecycle.first_created_date, lifecycle.first_event_date) as valid_from,
        -- ended, unless created again after the end
        case
            when
                lifecycle.last_created_date is null
                or lifecycle.last_ended_date >= lifecycle.last_created_date
                then lifecycle.last_ended_date
        end as valid_to
    from lifecycle
    inner join latest_event
        on
            lifecycle.namnd_code = latest_event.namnd_code
            and latest_event.recency = 1
    left join successor_event
        on
            lifecycle.namnd_code = successor_event.namnd_code
            and successor_event.recency = 1

),

inferred as (

    select distinct ledger.namnd_code
    from {{ ref('fct_ledger') }} as ledger
    where
        ledger.namnd_code is not null
        and not exists (
            select 1
            from registered
            where registered.namnd_code = ledger.namnd_code
        )

),

members as (

    select
        {{ surrogate_key(['namnd_code']) }} as namnd_key,
        namnd_code,
        namnd_name,
        namnd_type,
        parent_namnd_code,
        valid_from,
        valid_to,
        valid_to is null as is_active,
        successor_codes,
        false as is_inferred
    from registered

    union all

    select
        {{ surrogate_key(['namnd_code']) }} as namnd_key,
        namnd_code,
        'Okänd' as namnd_name,
        cast(null as {{ dbt.type_string() }}) as namnd_type,
        cast(null as {{ dbt.type_string() }}) as parent_namnd_code,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        true as is_active,
        cast(null as varchar[]) as successor_codes,
        true as is_inferred
    from inferred

),

unknown_member as (

    select
        {{ unknown_member_key(1) }} as namnd_key,
        '-1' as namnd_code,
        'Okänd' as namnd_name,
        cast(null as {{ dbt.type_string() }}) as namnd_type,
        cast(null as {{ dbt.type_string() }}) as parent_namnd_code,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to,
        true as is_active,
        cast(null as varchar[]) as successor_codes,
        false as is_inferred

)

select * from members
union all
select * from unknown_member
