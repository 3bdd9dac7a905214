{#-
    None of these columns is null: one test per model (or seed, or source table) instead
    of one `not_null` per column.

    Why (issue 14): dbt's fixed cost is ~0.1 s per node whatever the node does (jinja
    context, events, begin/commit), and a not_null query on our data takes a few ms. A
    `dbt build` of the reference home (servicenamnden-2011) ran 336 nodes, 147 of them
    `not_null` tests, one per column; here they are 39 tests, one per model, seed or
    source table (and per tag: the tests of a renaming view keep `renaming_view`),
    checking the same 147 columns with the same severity. With columns_accepted_values
    (40 tests -> 23) the build runs 211 nodes, not 336.

    A failing row names what is null, so a failure is as actionable as before (the node
    name no longer does): `null_columns` lists every listed column that is null in the
    row (e.g. 'amount, slag'), and the columns of `key_columns` (the grain, when the model
    has one) say which row. One scan of the model: a row with several nulls is one row.
-#}
{% test columns_not_null(model, columns, key_columns=[]) %}

    select
        {%- for key_column in key_columns %}
            {{ key_column }},
        {%- endfor %}
        concat_ws(
            ', ',
            {%- for column in columns %}
                case when {{ column }} is null then '{{ column }}' end
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        ) as null_columns
    from {{ model }}
    where
        {%- for column in columns %}
            {{ column }} is null{% if not loop.last %} or{% endif %}
        {%- endfor %}

{% endtest %}
