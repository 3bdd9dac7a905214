with

source as (

    select * from {{ source('events', 'batches') }}

),

renamed as (

    select
        -- keys
        batch_id,
        sha256 as file_sha256,

        -- attributes
        source as source_name,
        file_name,
        file_path,
        encoding as file_encoding,
        status as batch_status,
        reason as rejection_reason,
        report_path as rejection_report_path,

        -- counts
        file_bytes,
        row_count,

        -- times
        recorded_at,

        -- booleans
        status = 'accepted' as is_accepted

    from source

)

select * from renamed
