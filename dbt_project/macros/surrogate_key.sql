{#-
    Kimball surrogate keys as md5 of the natural key.

    The key depends on the natural key only, never on what a dimension holds at build
    time: an incremental fact never has to be re-keyed when a dimension changes, and a
    full refresh gives the same keys. Built from dbt's cross-database macros (hash,
    concat, type_string) so it survives a move off DuckDB.
-#}

{#- md5 over the fields, null-safe and unambiguous ('a|bc' differs from 'ab|c'). -#}
{% macro surrogate_key(field_list) -%}
    {%- set parts = [] -%}
    {%- for field in field_list -%}
        {%- do parts.append(
            "coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '_tertial_null_')"
        ) -%}
        {%- if not loop.last -%}
            {%- do parts.append("'|'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}


{#- The key of a dimension's Unknown member: its natural key is '-1' in every field. -#}
{% macro unknown_member_key(field_count=1) -%}
    {{ surrogate_key(["'-1'"] * field_count) }}
{%- endmacro %}


{#-
    A fact's foreign key to a dimension: the surrogate key of the natural key, or the
    Unknown member's key when any part of the natural key is missing.
-#}
{% macro dimension_key(field_list) -%}
    case
        when {% for field in field_list -%}
            {{ field }} is null{% if not loop.last %} or {% endif %}
        {%- endfor %}
            then {{ unknown_member_key(field_list | length) }}
        else {{ surrogate_key(field_list) }}
    end
{%- endmacro %}


{#- The period key (YYYYMM) of a period inside dim_period's range, else -1 (Unknown). -#}
{% macro period_key(period) -%}
    case
        when {{ period }} between {{ var('period_first_year') }}01
            and {{ var('period_last_year') }}12
            and mod({{ period }}, 100) between 1 and 12
            then {{ period }}
        else -1
    end
{%- endmacro %}
