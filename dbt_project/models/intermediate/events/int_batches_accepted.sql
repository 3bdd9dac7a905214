{#-
    The batches whose data counts: accepted, recorded by the cut (the var `as_of`, none
    in the nightly build: see macros/as_of.sql) and not taken out by an effective
    retraction recorded by the same cut (int_retractions_resolved). Every current-state
    model reads its batches from here, directly or through int_deliveries_ranked, so
    these rules hold in every mart without a line of code there.
-#}
with

batches as (

    select
        batch_id,
        source_name,
        recorded_at
    from {{ ref('stg_events__batches') }}
    where is_accepted and {{ recorded_as_of('recorded_at') }}

),

retracted as (

    select distinct target_id
    from {{ ref('int_retractions_resolved') }}
    where is_effective

)

select
    batches.batch_id,
    batches.source_name,
    batches.recorded_at
from batches
where not exists (
    select 1
    from retracted
    where retracted.target_id = batches.batch_id
)
