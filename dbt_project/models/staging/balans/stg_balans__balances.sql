with

source as (

    select * from {{ source('events', 'balans') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        namnd as namnd_code,
        period,
        konto as konto_code,

        -- attributes
        extra as extra_columns,

        -- amounts
        cast(saldo as decimal(18, 2)) as balance,

        -- UB when empty: a balans_<YYYYMM>.csv row is the month's closing balance.
        coalesce(upper(trim(post)), 'UB') as post

    from source

)

select * from renamed
