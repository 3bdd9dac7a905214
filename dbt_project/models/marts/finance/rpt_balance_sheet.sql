{#-
    The boards' balance sheet per month with a closing balance, as the reports' "Analys
    av balansräkning" reads it: per heading of Kommun-Bas classes 1–2 (the seed
    balansrakning_rubriker: Anläggningstillgångar 10–13, Omsättningstillgångar 14–19,
    Eget kapital 20, Avsättningar 21–22, Skulder 23–29) the closing balance at the end of
    the period, the opening balance of the year and the change since the year start.

    - A row per (board, period, heading) wherever the board has closing balances (post
      UB) for the month; a heading without accounts that month is 0, so a board's five
      headings are always there and sum to the balance sheet's total.
    - The opening balance of year Y is the board's balance at the end of December Y−1:
      its IB rows there (a SIE #IB 0 of Y: after the year-end closing entries of Y−1)
      when it has any, else its closing balance (UB) of that December. None delivered:
      null, and the change is null too; a board's opening is never guessed as 0.
    - Signs as booked: tillgångar positive, eget kapital, avsättningar and skulder
      negative (Servicenämnden 2011-08-31 prints "Eget kapital uppgår till
      -41 018 403,52").
    - RES rows (result accounts, classes 3–8) are no part of the balance sheet.
    - Kronor only (DECIMAL(18,2)): the reports print the balance analysis in kronor with
      öre, and rpt_result_funds, the other balance-like report mart, has no mnkr columns.
    - Only current balances count (int_balances_current): a retracted batch, or one
      after an as-of moment, takes its months out.
-#}
with

balances as (

    select * from {{ ref('int_balances_current') }}

),

headings as (

    select * from {{ ref('balansrakning_rubriker') }}

),

-- Every balance-sheet row on its heading (classes 1–2; an account in no heading has
-- no row here, but the ranges cover 10–29 whole).
on_heading as (

    select
        balances.namnd_code,
        balances.period,
        balances.post,
        headings.group_code,
        balances.balance,
        balances.recorded_at
    from balances
    inner join headings
        on
            substring(balances.konto_code, 1, 2)
            between headings.first_kontogrupp and headings.last_kontogrupp
    where balances.post in ('UB', 'IB')

),

closing as (

    select
        namnd_code,
        period,
        group_code,
        sum(balance) as closing_balance,
        count(*) as account_count
    from on_heading
    where post = 'UB'
    group by namnd_code, period, group_code

),

board_months as (

    select
        namnd_code,
        period,
        max(recorded_at) as recorded_at
    from on_heading
    where post = 'UB'
    group by namnd_code, period

),

-- Which rows of a December open the next year: IB when the board has any there.
opening_post as (

    select
        namnd_code,
        period,
        case when count(*) filter (where post = 'IB') > 0 then 'IB' else 'UB' end as post,
        max(recorded_at) as recorded_at
    from on_heading
    where period % 100 = 12
    group by namnd_code, period

),

opening as (

    select
        on_heading.namnd_code,
        on_heading.group_code,
        cast(floor(on_heading.period / 100) as integer) + 1 as year,
        sum(on_heading.balance) as opening_balance
    from on_heading
    inner join opening_post
        on
            on_heading.namnd_code = opening_post.namnd_code
            and on_heading.period = opening_post.period
            and on_heading.post = opening_post.post
    group by on_heading.namnd_code, on_heading.group_code, on_heading.period

),

grid as (

    select
        board_months.namnd_code,
        board_months.period,
        cast(floor(board_months.period / 100) as integer) as year,
        board_months.recorded_at,
        headings.group_code,
        headings.group_name,
        headings.side,
        headings.sort_order
    from board_months
    cross join headings

)

select
    -- keys
    {{ dimension_key(['grid.namnd_code']) }} as namnd_key,
    grid.namnd_code,
    grid.year,
    cast(grid.period as integer) as period,
    grid.group_code,

    -- attributes
    grid.group_name,
    grid.side,
    cast(grid.sort_order as integer) as sort_order,
    cast(coalesce(closing.account_count, 0) as integer) as account_count,

    -- amounts
    cast(
        case
            when opening_post.namnd_code is not null
                then coalesce(opening.opening_balance, 0)
        end as decimal(18, 2)
    ) as opening_balance,
    cast(coalesce(closing.closing_balance, 0) as decimal(18, 2)) as closing_balance,
    cast(
        case
            when opening_post.namnd_code is not null
                then
                    coalesce(closing.closing_balance, 0)
                    - coalesce(opening.opening_balance, 0)
        end as decimal(18, 2)
    ) as change_since_year_start,

    -- times
    greatest(grid.recorded_at, coalesce(opening_post.recorded_at, grid.recorded_at))
        as recorded_at

from grid
left join closing
    on
        grid.namnd_code = closing.namnd_code
        and grid.period = closing.period
        and grid.group_code = closing.group_code
left join opening_post
    on
        grid.namnd_code = opening_post.namnd_code
        and grid.year - 1 = cast(floor(opening_post.period / 100) as integer)
left join opening
    on
        grid.namnd_code = opening.namnd_code
        and grid.year = opening.year
        and grid.group_code = opening.group_code
