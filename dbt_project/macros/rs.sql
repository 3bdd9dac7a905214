{#-
    SCB's classification of Räkenskapssammandraget (seed rs_verksamhetsomraden): each
    code with its name and the sum it rolls up into (its area), for dim_verksamhet and
    rpt_activity_costs_rs.
-#}
{% macro rs_classification() -%}
    select
        leaf.rs_code,
        leaf.rs_name,
        leaf.parent_rs_code as rs_area_code,
        area.rs_name as rs_area_name
    from {{ ref('rs_verksamhetsomraden') }} as leaf
    left join {{ ref('rs_verksamhetsomraden') }} as area
        on leaf.parent_rs_code = area.rs_code
{%- endmacro %}
