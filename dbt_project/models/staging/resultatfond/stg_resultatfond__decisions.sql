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

        -- attributes
        extra as extra_columns,

        -- times
        beslutsdatum as decision_date,

        -- amounts
        cast(ingaende_resultatfond as decimal(18, 2)) as opening_fund,
        cast(belopp as decimal(18, 2)) as amount,

        -- the kind in lower case (Disposition and disposition are one)
        lower(beslut) as decision_kind

    from source

)

select * from renamed
