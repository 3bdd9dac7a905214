with

source as (

    select * from {{ source('events', 'prognos') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        ar as year,
        prognostillfalle as forecast_occasion,
        namnd as namnd_code,
        verksamhet as verksamhet_code,
        slag,

        -- amounts
        cast(prognos as decimal(18, 2)) as amount,

        -- attributes
        extra as extra_columns

    from source

)

select * from renamed
