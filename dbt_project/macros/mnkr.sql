{#-
    Kronor to mnkr with one decimal, rounded half away from zero, as the boards'
    reports print them: exact DECIMAL arithmetic throughout (round to whole
    100 000 kronor, then scale), never through a float, in which 0,05 mnkr steps are
    not exact and a figure like 250 000,00 kr could come out 0,2 instead of 0,3.
    Null stays null.
-#}
{% macro mnkr(amount) -%}
    cast(round({{ amount }}, -5) * 0.000001 as decimal(18, 1))
{%- endmacro %}

{#-
    Kronor to tkr (thousands) as whole tkr, as SCB publishes Räkenskapssammandraget's
    figures: round to whole 1 000 kronor (half away from zero), then scale, in DECIMAL.
-#}
{% macro tkr(amount) -%}
    cast(round({{ amount }}, -3) * 0.001 as decimal(18, 0))
{%- endmacro %}
