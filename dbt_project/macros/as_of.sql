{#-
    Transaction-time cut: `true` in the nightly build, `<column> <= as_of` when the
    project is built for a moment (tertial query --as-of). Only int_batches_accepted and
    int_retractions_resolved use it, so every model downstream answers as the warehouse
    would have at that moment.

    The moment comes from the environment variable TERTIAL_AS_OF (warehouse/asof.py)
    rather than `--vars`: dbt's partial parsing keys on the command line's vars, so each
    new moment given as a var parsed the whole project again (~8-18 s of a ~30-40 s
    as-of build here), while a changed environment variable re-parses only the two
    models that read it. Only the `asof` target reads it, so a TERTIAL_AS_OF left in
    someone's shell never cuts the nightly build. The var `as_of` still wins when set
    (the dbt unit tests).
    The value comes from our Python code as an ISO timestamp with its offset; anything
    else stops the build instead of reaching SQL.
-#}
{% macro recorded_as_of(column) -%}
    {%- set from_env = env_var('TERTIAL_AS_OF', '') if target.name == 'asof' else '' -%}
    {%- set as_of = var('as_of', none) or from_env -%}
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
