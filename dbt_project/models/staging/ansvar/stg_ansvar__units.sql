with

source as (

    select * from {{ source('events', 'ansvar') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        namnd as namnd_code,
        ansvar as ansvar_code,

        -- attributes
        namn as ansvar_name,
        extra as extra_columns,

        -- times: Giltig till is inclusive as delivered
        giltig_fran as valid_from,
        giltig_till as valid_until

    from source

)

select * from renamed
