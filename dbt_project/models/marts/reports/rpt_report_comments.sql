{#-
    The boards' comments on their reports, in their current state, placed where the
    report prints them: per (nämnd, år, rapport) each comment with its section, what it
    refers to and the order the board wrote it in. An activity comment carries the
    activity's name (dim_verksamhet) so a reader of the
    mart sees what "240" is.
-#}
with

comments as (

    select * from {{ ref('int_comments_current') }}

),

activities as (

    select
        namnd_code,
        verksamhet_code,
        verksamhet_name
    from {{ ref('dim_verksamhet') }}
    -- One row per activity: its newest version (dim_verksamhet keeps every version).
    where is_current

)

select
    -- keys
    {{ dimension_key(['comments.namnd_code']) }} as namnd_key,
    comments.namnd_code,
    cast(comments.year as integer) as year,
    comments.report,
    comments.section,
    comments.reference,

    -- attributes
    activities.verksamhet_name as reference_name,
    comments.comment_kind,
    comments.comment_text,
    comments.author,
    cast(comments.line_number as integer) as comment_order,

    -- lineage
    comments.batch_id,

    -- times
    comments.recorded_at

from comments
left join activities
    on
        comments.section = 'verksamhet'
        and comments.namnd_code = activities.namnd_code
        and comments.reference = activities.verksamhet_code
