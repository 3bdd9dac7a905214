{#-
    "The newest accepted delivery per supersession key", written once for every
    int_*_current model. A later batch for the same key replaces the earlier one whole,
    even with fewer rows; which batches are accepted (as-of cut, retractions) is decided
    by int_batches_accepted, which int_deliveries_ranked reads, so the macro inherits
    both rules and adds none.

    current_deliveries(source): one row per supersession key of the source, its winning
    delivery (batch_id, supersession_key, namnd_code, period, row_count, recorded_at,
    delivery_count).

    current_rows(relation, source, key_columns): the rows of `relation` (a staging model
    with batch_id) that belong to a winning delivery, plus its recorded_at and
    delivery_count. A file may carry several keys, so a row must match its batch AND its
    own key: the key text is the row's key columns joined by '|', exactly as the loader
    writes events.supersession_keys (sources/_common/source.py). `||` keeps a null part
    null, so a row with a null key part matches nothing, like a join on the columns.
    With key_columns none a row matches on its batch alone (the key is not a row column).
-#}
{% macro current_deliveries(source_name) -%}
    select
        batch_id,
        supersession_key,
        namnd_code,
        period,
        row_count,
        recorded_at,
        delivery_count
    from {{ ref('int_deliveries_ranked') }}
    where source_name = '{{ source_name }}' and delivery_rank = 1
{%- endmacro %}


{% macro current_rows(relation, source_name, key_columns=none) -%}
    select
        source_rows.*,
        current_deliveries.recorded_at,
        current_deliveries.delivery_count
    from {{ relation }} as source_rows
    inner join ({{ current_deliveries(source_name) }}) as current_deliveries
        on
            source_rows.batch_id = current_deliveries.batch_id
            {%- if key_columns %}
            and {% for column in key_columns -%}
                cast(source_rows.{{ column }} as varchar)
                {%- if not loop.last %} || '|' || {% endif -%}
            {%- endfor %} = current_deliveries.supersession_key
            {%- endif %}
{%- endmacro %}
