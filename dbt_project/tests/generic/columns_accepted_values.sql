{#-
    Each column holds only its listed values (null passes, as with dbt's accepted_values):
    one test per model (or seed, or source table) instead of one accepted_values per
    column, for the per-node cost explained in columns_not_null.sql. The 40
    accepted_values of a build of the reference home are 23 tests of this kind.

    `values_by_column`: column -> its accepted values. A text value is compared as a
    quoted literal, a number as a number (dbt's `quote: false`). A failing row names the
    column, the value that is not accepted and how many rows hold it.
-#}
{% test columns_accepted_values(model, values_by_column) %}

    {%- for column, values in values_by_column.items() %}
        select
            '{{ column }}' as column_name,
            cast({{ column }} as varchar) as value_field,
            count(*) as n_records
        from {{ model }}
        where
            {{ column }} not in (
                {%- for value in values %}
                    {%- if value is string %}
                        '{{ value | replace("'", "''") }}'
                    {%- else %}
                        {{ value }}
                    {%- endif %}
                    {%- if not loop.last %},{% endif %}
                {%- endfor %}
            )
        group by {{ column }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

{% endtest %}
