{#-
    Models land in exactly the schema their folder configures (`staging`,
    `intermediate`, `marts`), not dbt's default `<target schema>_<custom schema>`:
    analysts and the publish step address `marts.fct_ledger`, whatever the target.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
