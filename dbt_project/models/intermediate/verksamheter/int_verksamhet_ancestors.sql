{#-
    Every registered verksamhet with itself and each verksamhet above it, at any depth
    (Överordnad, int_verksamheter_registered): the roll-up of a report in which a
    verksamhet includes its children. A code the register lacks has no row here; a
    report keeps it as its own row (int_budget_followup_rows).
-#}
with recursive

verksamheter as (

    select
        namnd_code,
        verksamhet_code,
        parent_verksamhet_code
    from {{ ref('int_verksamheter_registered') }}

),

-- `union` (not `union all`) ends the recursion even on a cycle in the register.
ancestors (namnd_code, verksamhet_code, ancestor_code) as (

    select
        namnd_code,
        verksamhet_code,
        verksamhet_code as ancestor_code
    from verksamheter

    union

    select
        ancestors.namnd_code,
        ancestors.verksamhet_code,
        parent.parent_verksamhet_code as ancestor_code
    from ancestors
    inner join verksamheter as parent
        on
            ancestors.namnd_code = parent.namnd_code
            and ancestors.ancestor_code = parent.verksamhet_code
    where parent.parent_verksamhet_code is not null

)

select
    namnd_code,
    verksamhet_code,
    ancestor_code
from ancestors
