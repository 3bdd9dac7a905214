with

source as (

    select * from {{ source('events', 'organisation') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        kod as namnd_code,
        overordnad as parent_namnd_code,
        eftertradare as successor_codes,

        -- attributes
        handelse as event_type,
        namn as namnd_name,
        typ as namnd_type,
        extra as extra_columns,

        -- times
        datum as event_date

    from source

)

select * from renamed
