{#-
    Figures as the boards' reports show them, computed exactly from their parts.
-#}

{#-
    numerator / denominator in percent, rounded half away from zero to `decimals`
    places, as DECIMAL(18, decimals); null when the denominator is 0 or null.

    Exact: DuckDB divides decimals in DOUBLE, and 5,45 % could come back as 5,4499999
    and round the wrong way. Both parts are scaled to whole ten-thousandths (hours are
    DECIMAL(18,4), money DECIMAL(18,2): no input has more than 4 decimals) and divided as
    integers: round(a / b) = (2a + b) // 2b for a >= 0, b > 0, the signs applied after.
-#}
{% macro percent(numerator, denominator, decimals=1) -%}
    {%- set a = "abs(cast((" ~ numerator ~ ") * 10000 as hugeint))" -%}
    {%- set b = "abs(cast((" ~ denominator ~ ") * 10000 as hugeint))" -%}
    case
        when {{ denominator }} <> 0
            then cast(
                sign({{ numerator }}) * sign({{ denominator }})
                * (({{ a }} * {{ 2 * 10 ** (2 + decimals) }} + {{ b }}) // (2 * {{ b }}))
                as decimal(18, 0)
            ) * {{ "%.*f" | format(decimals, 10 ** -decimals) }}
    end
{%- endmacro %}


{#-
    Small-group suppression of published sick-leave figures (source-formats.md §5: no
    figure for a group of fewer than 10 persons). True for every group of a breakdown
    (the rows that together make up one total, `partition_by`) when any group of it has
    fewer than `min_persons`: one suppressed group alone would be recoverable by
    subtraction from the total (M/Alla - M/30-49 - M/50- = M/-29), so its siblings go too.
-#}
{% macro small_group_suppressed(persons, partition_by, min_persons=10) -%}
    coalesce(min({{ persons }}) over (partition by {{ partition_by | join(', ') }}), 0)
    < {{ min_persons }}
{%- endmacro %}


{#-
    The name an indicator is matched by across years, reports and boards: lower case,
    no-break spaces made plain, whitespace collapsed, and the scope note that KF adds to
    city-wide indicators removed, because its wording varies between years
    ("Sjukfrånvaro (alla nämnder/bolag)" and "Sjukfrånvaro (alla nämnder)" are one
    indicator). Other parentheses stay: "(NMI)" is part of a name.
-#}
{% macro normalised_indicator_name(name) -%}
    trim(
        regexp_replace(
            regexp_replace(
                lower(replace({{ name }}, chr(160), ' ')), '\(alla [^)]*\)', '', 'g'
            ),
            '\s+', ' ', 'g'
        )
    )
{%- endmacro %}


{#- The month a report closes (T1 April, T2 August, VB December) as YYYYMM. -#}
{% macro report_closing_period(year, report) -%}
    ({{ year }} * 100 + case {{ report }} when 'T1' then 4 when 'T2' then 8 when 'VB' then 12 end)
{%- endmacro %}


{#-
    The month (YYYYMM) a Prognostillfälle stands for: T1 April, T2 August, Mmm its month;
    null for anything else. fct_forecast's forecast_period and the budget follow-up's
    choice of forecast (int_budget_followup_measures).
-#}
{% macro forecast_period(year, forecast_occasion) -%}
    {{ year }} * 100 + case
        when {{ forecast_occasion }} = 'T1' then 4
        when {{ forecast_occasion }} = 'T2' then 8
        when {{ forecast_occasion }} like 'M__'
            then cast(substring({{ forecast_occasion }}, 2, 2) as integer)
    end
{%- endmacro %}
