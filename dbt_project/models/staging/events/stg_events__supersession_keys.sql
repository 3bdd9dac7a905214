with

source as (

    select * from {{ source('events', 'supersession_keys') }}

),

-- where the board and the period sit in each source's key text (from the registry)
key_parts as (

    select
        source_name,
        namnd_part,
        period_part
    from {{ ref('stg_events__key_parts') }}

),

renamed as (

    select
        -- keys
        source.batch_id,
        source.key as supersession_key,
        -- the contract's key columns joined by '|': huvudbok, lon, sjukfranvaro
        -- '<namnd>|<period>'; prognos '<namnd>|<ar>|<prognostillfalle>', verksamheter
        -- '<namnd>'; budget '<beslut>' and organisation '*' have no board in the key
        {{ dbt.split_part('source.key', "'|'", 'key_parts.namnd_part') }} as namnd_code,
        cast(
            {{ dbt.split_part('source.key', "'|'", 'key_parts.period_part') }} as integer
        ) as period,

        -- attributes
        source.source as source_name,

        -- counts
        source.row_count

    from source
    left join key_parts
        on source.source = key_parts.source_name

)

select * from renamed
