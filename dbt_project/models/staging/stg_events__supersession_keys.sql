with

source as (

    select * from {{ source('events', 'supersession_keys') }}

),

renamed as (

    select
        -- keys
        batch_id,
        key as supersession_key,
        -- huvudbok '<namnd>|<period>', verksamheter '<namnd>', organisation '*'
        case
            when source in ('huvudbok', 'verksamheter')
                then {{ dbt.split_part('key', "'|'", 1) }}
        end as namnd_code,
        case
            when source = 'huvudbok'
                then cast({{ dbt.split_part('key', "'|'", 2) }} as integer)
        end as period,

        -- attributes
        source as source_name,

        -- counts
        row_count

    from source

)

select * from renamed
