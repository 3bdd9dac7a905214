{#-
    Stadsintern handel: per month and ordered pair of boards (seller, buyer), what the
    seller booked as internal revenue with Motpart = the buyer beside what the buyer
    booked as internal cost with Motpart = the seller, their difference and whether the
    pair reconciles. What 142 sold to 101 in a month equals what 101 bought from 142.

    Which lines are internal. Kommun-Bas has no account range of its own for internal
    items: a board books an internal sale on the same revenue accounts as an external
    one (Servicenämnden's 3410/3420/3490 in the 2011 reference ledger) and tells it apart
    by the counterparty, the ledger's Motpart (source-formats.md: "counterparty board
    code for internal (stadsinterna) transactions"). So a line is internal trade when
    Motpart names another board, and the account says which side it is, with the
    follow-up's Kommun-Bas classification (macros/kommunbas.sql), so that eliminating
    it from city totals removes exactly what the boards' follow-ups count:
    - stadsinterna intäkter: class 3 (verksamhetens intäkter: sales, fees, rents) and
      group 84 (financial income, e.g. internal interest received by the city's
      finance), revenue = −amount;
    - stadsinterna kostnader: classes 4-7 (purchases, personnel, premises, services,
      depreciation) and group 85 (financial costs, e.g. internränta), cost = amount.
    Lines with a Motpart on any other account are not trade in the result: classes 1-2
    (internal receivables, payables, investments bought from another board) belong to
    the balance sheet, and 80-83 (taxes, equalisation) to the city as a whole. A line
    whose Motpart is its own board is not between boards and is left out.

    difference = seller_revenue − buyer_cost. status: 'stämmer' when it is 0; 'ej
    levererad' when it is not and either board has not delivered that month's ledger
    (nothing to pair yet, e.g. the 2011 reference folder holds Servicenämnden's ledger
    only); 'avviker' otherwise (both delivered, the figures differ: a wrong Motpart, a
    wrong amount, or a booking in another month). Reconciliation is per month; a year's
    difference is the sum of its months'. Everything follows fct_ledger, so a correction,
    a retraction and an as-of moment change this mart with the ledger.
-#}
with

classified as (

    select
        namnd_code,
        motpart_namnd_code,
        period,
        amount,
        line_count,
        recorded_at,
        {{ followup_slag(kontoklass('konto'), kontogrupp('konto')) }} as followup_slag
    from {{ ref('fct_ledger') }}
    where
        motpart_namnd_code is not null
        and motpart_namnd_code != namnd_code

),

sold as (

    select
        namnd_code as seller_namnd_code,
        motpart_namnd_code as buyer_namnd_code,
        period,
        -sum(amount) as seller_revenue,
        sum(line_count) as seller_line_count,
        max(recorded_at) as recorded_at
    from classified
    where followup_slag = 'Intäkter'
    group by namnd_code, motpart_namnd_code, period

),

bought as (

    select
        motpart_namnd_code as seller_namnd_code,
        namnd_code as buyer_namnd_code,
        period,
        sum(amount) as buyer_cost,
        sum(line_count) as buyer_line_count,
        max(recorded_at) as recorded_at
    from classified
    where followup_slag = 'Kostnader'
    group by namnd_code, motpart_namnd_code, period

),

-- The board-months whose ledger is in: only there can a missing side be a difference.
delivered as (

    select distinct
        namnd_code,
        period
    from {{ ref('fct_ledger') }}

),

paired as (

    select
        coalesce(sold.seller_namnd_code, bought.seller_namnd_code) as seller_namnd_code,
        coalesce(sold.buyer_namnd_code, bought.buyer_namnd_code) as buyer_namnd_code,
        coalesce(sold.period, bought.period) as period,
        coalesce(sold.seller_revenue, 0) as seller_revenue,
        coalesce(bought.buyer_cost, 0) as buyer_cost,
        coalesce(sold.seller_line_count, 0) as seller_line_count,
        coalesce(bought.buyer_line_count, 0) as buyer_line_count,
        greatest(sold.recorded_at, bought.recorded_at) as recorded_at
    from sold
    full outer join bought
        on
            sold.seller_namnd_code = bought.seller_namnd_code
            and sold.buyer_namnd_code = bought.buyer_namnd_code
            and sold.period = bought.period

),

checked as (

    select
        paired.*,
        paired.seller_revenue - paired.buyer_cost as difference,
        seller_ledger.namnd_code is not null as seller_has_ledger,
        buyer_ledger.namnd_code is not null as buyer_has_ledger
    from paired
    left join delivered as seller_ledger
        on
            paired.seller_namnd_code = seller_ledger.namnd_code
            and paired.period = seller_ledger.period
    left join delivered as buyer_ledger
        on
            paired.buyer_namnd_code = buyer_ledger.namnd_code
            and paired.period = buyer_ledger.period

)

select
    -- keys
    cast(floor(period / 100) as integer) as year,
    period,
    {{ dimension_key(['seller_namnd_code']) }} as seller_namnd_key,
    seller_namnd_code,
    {{ dimension_key(['buyer_namnd_code']) }} as buyer_namnd_key,
    buyer_namnd_code,

    -- amounts
    cast(seller_revenue as decimal(18, 2)) as seller_revenue,
    cast(buyer_cost as decimal(18, 2)) as buyer_cost,
    cast(difference as decimal(18, 2)) as difference,

    -- attributes
    case
        when difference = 0 then 'stämmer'
        when not (seller_has_ledger and buyer_has_ledger) then 'ej levererad'
        else 'avviker'
    end as status,
    seller_has_ledger,
    buyer_has_ledger,
    cast(seller_line_count as bigint) as seller_line_count,
    cast(buyer_line_count as bigint) as buyer_line_count,

    -- times
    recorded_at

from checked
