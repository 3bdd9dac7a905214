{#-
    The grain of a model: no two rows share the values of these columns.
    (dbt_utils has the same test; dbt packages cannot be installed on our machines.)
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

    {%- set columns_csv = combination_of_columns | join(', ') %}

    select
        {{ columns_csv }},
        count(*) as duplicate_count
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1

{% endtest %}
