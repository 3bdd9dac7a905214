{#-
    Every retraction recorded (as of the cut, see macros/as_of.sql) and whether it is in
    effect. A retraction targets a batch or an earlier retraction. The rule
    (also warehouse/retractions.py, for the CLI):
    - a retraction is effective unless an effective retraction targets it;
    - a batch is retracted when an effective retraction targets it.
    In a chain batch <- R1 <- R2 <- R3 the batch is out when the chain is odd.

    The rule refers to itself, so it is evaluated in rounds: round 0 takes every
    retraction as effective, each round re-decides each retraction from the round
    before. A retraction with nothing above it is right from round 0, one whose
    chain above is n long from round n, so after as many rounds as there are
    retractions (n <= count - 1) every answer is final. Retractions are rare (tens), so
    count^2 rows is nothing.

    A table, not a view like its neighbours: DuckDB 1.5.5 fails to bind a correlated
    subquery over a view that contains a recursive CTE ("Failed to bind column
    reference ... inequal types"), and every current-state model reads this one.
-#}
{{ config(materialized='table') }}

with recursive

retractions as (

    select
        retraction_id,
        target_id,
        retraction_reason,
        recorded_by,
        recorded_at
    from {{ ref('stg_events__retractions') }}
    where {{ recorded_as_of('recorded_at') }}

),

round_count as (

    select count(*) as rounds from retractions

),

rounds (round_number, retraction_id, target_id, is_effective) as (

    select
        0,
        retraction_id,
        target_id,
        true
    from retractions

    union all

    select
        decided.round_number + 1,
        decided.retraction_id,
        decided.target_id,
        not exists (
            select 1
            from rounds as above
            where
                above.round_number = decided.round_number
                and above.target_id = decided.retraction_id
                and above.is_effective
        )
    from rounds as decided
    where decided.round_number < (select round_count.rounds from round_count)

)

select
    retractions.retraction_id,
    retractions.target_id,
    retractions.retraction_reason,
    retractions.recorded_by,
    retractions.recorded_at,
    rounds.is_effective
from retractions
inner join rounds
    on retractions.retraction_id = rounds.retraction_id
where rounds.round_number = (select round_count.rounds from round_count)
