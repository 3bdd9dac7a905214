{#-
    The organisation register is a list of events, and a delivery may be a full
    re-export or only the new events. Current state is therefore the union of the
    distinct events of all accepted organisation batches; when several batches carry
    the same event (datum, händelse, kod), the newest batch's version wins (a
    corrected name, type, parent or successor list).
-#}
with

accepted_batches as (

    select
        batch_id,
        recorded_at
    from {{ ref('int_batches_accepted') }}
    where source_name = 'organisation'

),

events as (

    select
        organisation_events.batch_id,
        organisation_events.line_number,
        organisation_events.event_date,
        organisation_events.event_type,
        organisation_events.namnd_code,
        organisation_events.namnd_name,
        organisation_events.namnd_type,
        organisation_events.parent_namnd_code,
        organisation_events.successor_codes,
        accepted_batches.recorded_at
    from {{ ref('stg_organisation__events') }} as organisation_events
    inner join accepted_batches
        on organisation_events.batch_id = accepted_batches.batch_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by event_date, event_type, namnd_code
            order by batch_id desc, line_number desc
        ) as version_rank
    from events

)

select
    event_date,
    event_type,
    namnd_code,
    namnd_name,
    namnd_type,
    parent_namnd_code,
    successor_codes,
    batch_id,
    line_number,
    recorded_at
from ranked
where version_rank = 1
