{#-
    Transaction-time cut: `true` in the nightly build, `<column> <= as_of` when the
    project is built with `--vars '{as_of: ...}'` (tertial query --as-of). Only
    int_batches_accepted and int_retractions_resolved use it, so every model downstream
    answers as the warehouse would have at that moment.

    The value comes from our Python code as an ISO timestamp with its offset
    (warehouse/asof.py); anything else stops the build instead of reaching SQL.
-#}
{% macro recorded_as_of(column) -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of is none or as_of == '' -%}
        true
    {%- else -%}
        {%- set pattern = '\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}:\d{2})?' -%}
        {%- if not modules.re.fullmatch(pattern, as_of | string) -%}
            {{ exceptions.raise_compiler_error("var as_of is not an ISO timestamp: " ~ as_of) }}
        {%- endif -%}
        {{ column }} <= cast('{{ as_of }}' as timestamp with time zone)
    {%- endif -%}
{%- endmacro %}
