with

source as (

    select * from {{ source('events', 'budget') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        ar as year,
        beslut as decision_id,
        namnd as namnd_code,
        verksamhet as verksamhet_code,
        slag,

        -- amounts
        cast(belopp as decimal(18, 2)) as amount,

        -- attributes
        typ as decision_type,
        extra as extra_columns,

        -- times
        beslutsdatum as decision_date

    from source

)

select * from renamed
