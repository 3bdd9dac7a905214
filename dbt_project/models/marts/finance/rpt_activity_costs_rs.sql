{#-
    Nettokostnad per RS-verksamhet: each board's net cost per activity of SCB's
    Räkenskapssammandraget (RS) and year, the whole city's beside it, and where SCB
    publishes the code for the year (seed rs_nettokostnad_publicerad: 2024, Stockholm and
    Riket) the published figures, so the costs of one activity compare across boards
    and cities.

    - Net cost = Kostnader − Intäkter by the Kommun-Bas classes of the boards' follow-up
      (macros/kommunbas.sql: Kostnader = classes 4-7 and group 85, Intäkter = class 3
      and group 84); other accounts (balance sheet, 80-83) count in neither.
    - A ledger row takes the RS-kod of its activity's version valid on the first day of
      its month (dim_verksamhet, both ends inclusive), or, when no version covers the
      month (an inferred code, a booking outside the register's days), the current
      version's. A row whose version has no RS-kod is kept under rs_code '-1' (Ej
      klassificerad), so the boards' rows of a year sum to their whole net cost.
    - city_net_cost is the sum over every board of the year and code, in kronor;
      the tkr columns are whole tkr as SCB publishes them (macros/mnkr.sql, tkr), so
      compare sums in kronor: rounded tkr need not add up.
    - Internal trade is not eliminated: a board's purchase from another is its cost, and
      the seller's revenue lowers the seller's net cost of its own RS code.
      months_booked says how many months of the year the board has delivered: a year in
      progress is not a year to set beside SCB's.
    - city_net_cost reaches a board's login in PostgreSQL on the board's own rows (row-level
      security is on namnd_code): a city's net cost per RS code is what SCB publishes per
      municipality anyway; the other boards' rows stay hidden.

    Size and cost: reads fct_ledger, the ledger already summed per board, activity,
    account, counterparty and month (int_ledger_summed: thousands of rows a month, 26k
    on the 10-year benchmark city, ~3.1 M rows in all), and sums it to (board, activity,
    month) before any join (~34k rows at 10 years); the result is boards × RS codes ×
    years, a few hundred rows a year. A full table each night, as rpt_city_totals, with
    no incremental state: the whole model took 0.5-0.8 s on 3.0 M synthetic fct_ledger
    rows on this 2-core machine at load 11 (1.6-2.3 s before the two choices below).
-#}
with

-- The follow-up's classification of each account from dim_konto (one row per account,
-- macros/kommunbas.sql), joined on the account code: on 3.0 M synthetic rows (10 years,
-- 28 boards, 90 accounts) the join took 0.5 s where classifying every row's konto text
-- took 0.9 s, and grouping by the short codes (the keys made after) beat grouping by
-- the 32-character md5 keys (2-core machine under load 11, 2026-12-06).
accounts as (

    select
        konto,
        followup_slag
    from {{ ref('dim_konto') }}
    where followup_slag in ('Kostnader', 'Intäkter')

),

summed as (

    select
        ledger.namnd_code,
        ledger.verksamhet_code,
        ledger.period,
        sum(
            case when accounts.followup_slag = 'Kostnader' then ledger.amount else 0 end
        ) as booked_costs,
        sum(
            case when accounts.followup_slag = 'Intäkter' then -ledger.amount else 0 end
        ) as booked_revenues
    from {{ ref('fct_ledger') }} as ledger
    inner join accounts
        on ledger.konto = accounts.konto
    group by ledger.namnd_code, ledger.verksamhet_code, ledger.period

),

-- The month's first day from dim_period (null for a period outside its range: such a
-- row takes the current version).
monthly as (

    select
        summed.namnd_code,
        summed.period,
        summed.booked_costs,
        summed.booked_revenues,
        periods.first_date,
        {{ dimension_key(['summed.namnd_code', 'summed.verksamhet_code']) }} as verksamhet_key
    from summed
    left join {{ ref('dim_period') }} as periods
        on {{ period_key('summed.period') }} = periods.period_key

),

versions as (

    select
        verksamhet_key,
        valid_from,
        valid_to,
        is_current,
        rs_code
    from {{ ref('dim_verksamhet') }}

),

-- The version of the month first, else the current one; the newest if register spans
-- overlap, so a month is never counted twice.
classified as (

    select
        monthly.namnd_code,
        monthly.period,
        monthly.booked_costs,
        monthly.booked_revenues,
        versions.rs_code,
        row_number() over (
            partition by monthly.verksamhet_key, monthly.period
            order by
                case
                    when
                        coalesce(versions.valid_from, monthly.first_date) <= monthly.first_date
                        and coalesce(versions.valid_to, monthly.first_date) >= monthly.first_date
                        then 0
                    else 1
                end,
                case when versions.is_current then 0 else 1 end,
                versions.valid_from desc nulls last
        ) as version_rank
    from monthly
    left join versions
        on monthly.verksamhet_key = versions.verksamhet_key

),

per_board as (

    select
        namnd_code,
        cast(floor(period / 100) as integer) as year,
        coalesce(rs_code, '-1') as rs_code,
        sum(booked_costs) as booked_costs,
        sum(booked_revenues) as booked_revenues
    from classified
    where version_rank = 1
    group by namnd_code, cast(floor(period / 100) as integer), coalesce(rs_code, '-1')

),

board_months as (

    select
        namnd_code,
        cast(floor(period / 100) as integer) as year,
        count(distinct period) as months_delivered
    from monthly
    group by namnd_code, cast(floor(period / 100) as integer)

),

rs as (

    {{ rs_classification() }}

),

published as (

    select
        year,
        rs_code,
        max(case when region_code = '0180' then net_cost_tkr end) as stockholm_tkr,
        max(case when region_code = '00' then net_cost_tkr end) as riket_tkr
    from {{ ref('rs_nettokostnad_publicerad') }}
    group by year, rs_code

),

combined as (

    select
        per_board.namnd_code,
        per_board.year,
        per_board.rs_code,
        rs.rs_area_code,
        rs.rs_area_name,
        per_board.booked_costs,
        per_board.booked_revenues,
        board_months.months_delivered,
        published.stockholm_tkr,
        published.riket_tkr,
        coalesce(rs.rs_name, 'Ej klassificerad') as rs_name,
        per_board.booked_costs - per_board.booked_revenues as net_cost,
        sum(per_board.booked_costs - per_board.booked_revenues) over (
            partition by per_board.year, per_board.rs_code
        ) as city_net_cost,
        count(*) over (partition by per_board.year, per_board.rs_code) as city_boards
    from per_board
    inner join board_months
        on
            per_board.namnd_code = board_months.namnd_code
            and per_board.year = board_months.year
    left join rs
        on per_board.rs_code = rs.rs_code
    left join published
        on
            per_board.year = published.year
            and per_board.rs_code = published.rs_code

)

select
    -- keys
    {{ dimension_key(['namnd_code']) }} as namnd_key,
    namnd_code,
    year,
    rs_code,

    -- attributes
    rs_name,
    rs_area_code,
    rs_area_name,
    cast(months_delivered as integer) as months_booked,
    cast(city_boards as integer) as city_boards,

    -- amounts (kronor, exact)
    cast(booked_costs as decimal(18, 2)) as booked_costs,
    cast(booked_revenues as decimal(18, 2)) as booked_revenues,
    cast(net_cost as decimal(18, 2)) as net_cost,
    cast(city_net_cost as decimal(18, 2)) as city_net_cost,

    -- amounts (whole tkr, as SCB publishes)
    {{ tkr('net_cost') }} as net_cost_tkr,
    {{ tkr('city_net_cost') }} as city_net_cost_tkr,
    cast(stockholm_tkr as decimal(18, 0)) as published_stockholm_net_cost_tkr,
    cast(riket_tkr as decimal(18, 0)) as published_riket_net_cost_tkr

from combined
