{#-
    The Kommun-Bas classification of an account (konto) for the boards' operating
    follow-up, written once for dim_konto and the intermediate models that sum booked
    amounts (int_budget_indicators_computed, int_budget_followup_booked_months):
    Kostnader = classes 4-7 and group 85; Intäkter = class 3 and group 84; Investering =
    group 12; anything else is not followed up per board (null).
-#}
{#- The account class: the first digit as an integer, null when it is no digit. -#}
{% macro kontoklass(konto) -%}
    case
        when substring({{ konto }}, 1, 1) between '0' and '9'
            then cast(substring({{ konto }}, 1, 1) as integer)
    end
{%- endmacro %}

{#- The account group: the first two characters. -#}
{% macro kontogrupp(konto) -%}
    substring({{ konto }}, 1, 2)
{%- endmacro %}

{#- Kostnader, Intäkter, Investering or null, from the class and the group. -#}
{% macro followup_slag(kontoklass, kontogrupp) -%}
    case
        when {{ kontogrupp }} = '12' then 'Investering'
        when {{ kontoklass }} = 3 or {{ kontogrupp }} = '84' then 'Intäkter'
        when {{ kontoklass }} between 4 and 7 or {{ kontogrupp }} = '85' then 'Kostnader'
    end
{%- endmacro %}

{#- What turns a booked amount into the follow-up's positive figure: amount * sign. -#}
{% macro followup_sign(followup_slag) -%}
    case {{ followup_slag }}
        when 'Kostnader' then 1
        when 'Investering' then 1
        when 'Intäkter' then -1
    end
{%- endmacro %}
