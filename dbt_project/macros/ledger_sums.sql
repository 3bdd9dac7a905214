{#-
    The incremental scaffold of the ledger's sums (int_ledger_summed, per account and
    counterparty; int_ledger_units_summed, per responsibility unit and project), written
    once. Both are incremental per supersession key (nämnd, period): see
    int_ledger_summed's header for why.

    Also used by the ledger's marts that are kept the same way (fct_ledger,
    fct_ledger_restated), so that no model downstream of the ledger copies ten years of
    history every night.

    ledger_batches_to_read(namnd_column, also_held): the winning batch per (nämnd,
    period) that the table does not hold yet (all of them on a full build): the keys a
    run reads again. namnd_column is the table's column of the booked board
    (fct_ledger_restated: original_namnd_code); also_held, a condition on `existing`
    that must hold too for a key to count as held (fct_ledger_restated: built with the
    current organisation mapping).

    ledger_keys_retracted(namnd_column): the post-hook that deletes the rows of keys
    whose batch no longer wins (its only delivery was retracted, or the as-of cut leaves
    it out).
-#}
{% macro ledger_batches_to_read(namnd_column='namnd_code', also_held=none) -%}
    select
        winners.namnd_code,
        winners.period,
        winners.batch_id,
        winners.recorded_at
    from {{ ref('int_ledger_batches_current') }} as winners
    {% if is_incremental() %}
        -- keys whose winner is not what this table holds (incremental run only)
        where not exists (
            select 1
            from {{ this }} as existing
            where
                existing.{{ namnd_column }} = winners.namnd_code
                and existing.period = winners.period
                and existing.batch_id = winners.batch_id
                {% if also_held %}and {{ also_held }}{% endif %}
        )
    {% endif %}
{%- endmacro %}

{% macro ledger_keys_retracted(namnd_column='namnd_code') -%}
    delete from {{ this }} as summed where not exists (
        select 1 from {{ ref('int_ledger_batches_current') }} as winners
        where winners.namnd_code = summed.{{ namnd_column }}
            and winners.period = summed.period
            and winners.batch_id = summed.batch_id)
{%- endmacro %}

{#-
    The rounding remainder of each booked row divided among its successors, for the
    restated facts (fct_ledger_restated, fct_ledger_units_restated), written once: a
    query over `pieces` (one row per booked row and successor, with booked_amount,
    rounded_amount and successor_count) adding rounding_remainder = the booked amount
    less the sum of its rounded pieces. Rows with one successor are copied whole and get
    0 without a window (nearly all rows: the window over every row cost ~2 s of a
    10-year nightly); `partition_by`, the booked row's grain.
-#}
{% macro rounding_remainders(partition_by) -%}
    select
        *,
        cast(0 as decimal(18, 2)) as rounding_remainder
    from pieces
    where successor_count = 1

    union all

    select
        *,
        booked_amount - sum(rounded_amount) over (
            partition by {{ partition_by | join(', ') }}
        ) as rounding_remainder
    from pieces
    where successor_count > 1
{%- endmacro %}
