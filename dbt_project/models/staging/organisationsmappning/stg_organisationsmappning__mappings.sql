with

source as (

    select * from {{ source('events', 'organisationsmappning') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        fran_kod as from_namnd_code,
        till_kod as to_namnd_code,

        -- attributes
        extra as extra_columns,

        -- times
        giltig_fran as valid_from,

        -- shares: exact decimal(18, 4), as delivered
        andel as mapped_share

    from source

)

select * from renamed
