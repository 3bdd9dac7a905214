with

source as (

    select * from {{ source('events', 'supersession_keys') }}

),

renamed as (

    select
        -- keys
        batch_id,
        key as supersession_key,
        -- the contract's key columns joined by '|': huvudbok, lon, sjukfranvaro
        -- '<namnd>|<period>'; prognos '<namnd>|<ar>|<prognostillfalle>', indikatorer
        -- '<namnd>|<ar>|<rapport>', medarbetarenkat '<namnd>|<ar>', verksamheter
        -- '<namnd>'; budget '<beslut>'; organisation '*' (the whole register)
        case
            when source not in ('budget', 'organisation')
                then {{ dbt.split_part('key', "'|'", 1) }}
        end as namnd_code,
        case
            when source in ('huvudbok', 'lon', 'sjukfranvaro')
                then cast({{ dbt.split_part('key', "'|'", 2) }} as integer)
        end as period,

        -- attributes
        source as source_name,

        -- counts
        row_count

    from source

)

select * from renamed
