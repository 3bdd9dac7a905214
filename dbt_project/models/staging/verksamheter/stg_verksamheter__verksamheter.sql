with

source as (

    select * from {{ source('events', 'verksamheter') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        namnd as namnd_code,
        verksamhet as verksamhet_code,
        overordnad as parent_verksamhet_code,
        eftertradare as successor_verksamhet_code,
        rs_kod as rs_code,

        -- attributes
        namn as verksamhet_name,
        extra as extra_columns,

        -- times
        giltig_fran as valid_from,
        giltig_till as valid_to

    from source

)

select * from renamed
