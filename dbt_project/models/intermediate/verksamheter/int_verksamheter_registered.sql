{#-
    The activities (verksamheter) each board's newest delivery registers: one row per
    (namnd, verksamhet). If a delivery lists a code more than once (e.g. a renamed
    activity with two validity spans), the row valid last gives the name and parent,
    and the validity spans the earliest start to the latest end (open if any span is
    open). dim_verksamhet keeps every row as a version instead (SCD type 2, its newest
    is this row); the roll-up of the budget follow-up (int_verksamhet_ancestors) reads
    this model, not the mart.
-#}
with

verksamheter as (

    select * from {{ ref('int_verksamheter_current') }}

),

latest_row as (

    select
        namnd_code,
        verksamhet_code,
        verksamhet_name,
        parent_verksamhet_code,
        row_number() over (
            partition by namnd_code, verksamhet_code
            order by valid_from desc nulls last, line_number desc
        ) as recency
    from verksamheter

),

validity as (

    select
        namnd_code,
        verksamhet_code,
        min(valid_from) as valid_from,
        case when count(*) = count(valid_to) then max(valid_to) end as valid_to
    from verksamheter
    group by namnd_code, verksamhet_code

),

registered as (

    select
        validity.namnd_code,
        validity.verksamhet_code,
        latest_row.verksamhet_name,
        latest_row.parent_verksamhet_code,
        validity.valid_from,
        validity.valid_to
    from validity
    inner join latest_row
        on
            validity.namnd_code = latest_row.namnd_code
            and validity.verksamhet_code = latest_row.verksamhet_code
            and latest_row.recency = 1

)

select * from registered
