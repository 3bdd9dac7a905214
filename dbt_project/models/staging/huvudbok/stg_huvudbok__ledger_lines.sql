with

source as (

    select * from {{ source('events', 'huvudbok') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        namnd as namnd_code,
        ansvar as ansvar_code,
        verksamhet as verksamhet_code,
        konto,
        projekt as projekt_code,
        motpart as motpart_namnd_code,
        verifikation as verifikation_id,
        period,

        -- amounts
        cast(belopp as decimal(18, 2)) as amount,

        -- attributes
        text as line_text,
        extra as extra_columns,

        -- times
        datum as transaction_date

    from source

)

select * from renamed
