with

source as (

    select * from {{ source('events', 'retractions') }}

),

renamed as (

    select
        -- keys
        retraction_id,
        target_id,

        -- attributes
        reason as retraction_reason,
        recorded_by,
        command as recorded_command,

        -- times
        recorded_at

    from source

)

select * from renamed
