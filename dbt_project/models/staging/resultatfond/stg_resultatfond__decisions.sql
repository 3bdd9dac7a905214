with

source as (

    select * from {{ source('events', 'resultatfond') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        beslut_id as decision_id,
        namnd as namnd_code,
        ar as year,

        -- amounts
        cast(ingaende_resultatfond as decimal(18, 2)) as opening_fund,
        cast(belopp as decimal(18, 2)) as amount,

        -- attributes
        lower(beslut) as decision_kind,
        extra as extra_columns,

        -- times
        beslutsdatum as decision_date

    from source

)

select * from renamed
