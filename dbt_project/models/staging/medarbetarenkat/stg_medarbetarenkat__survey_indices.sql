with

source as (

    select * from {{ source('events', 'medarbetarenkat') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        ar as year,
        namnd as namnd_code,
        index_namn as index_name,

        -- values
        cast(varde as decimal(18, 4)) as index_value,
        cast(svarsfrekvens as decimal(18, 4)) as response_rate,

        -- attributes
        extra as extra_columns

    from source

)

select * from renamed
