with

source as (

    select * from {{ source('events', 'kommentarer') }}

),

renamed as (

    select
        -- keys
        batch_id,
        line_number,
        namnd as namnd_code,
        ar as year,
        rapport as report,

        -- attributes
        avsnitt as section,
        referens as reference,
        typ as comment_kind,
        kommentar as comment_text,
        forfattare as author,
        extra as extra_columns

    from source

)

select * from renamed
