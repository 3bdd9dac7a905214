with

source as (

    select * from {{ source('events', 'lon') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        period,
        namnd as namnd_code,
        anstallningsform as employment_type,
        kon as gender,

        -- counts
        anstallda as employees,
        cast(arsarbetare as decimal(18, 4)) as fte,
        utbetalda_loner as payslips,

        -- amounts
        cast(lonesumma as decimal(18, 2)) as gross_pay,

        -- attributes
        extra as extra_columns

    from source

)

select * from renamed
