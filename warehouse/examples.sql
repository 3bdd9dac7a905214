-- Example queries on the published snapshot (marts and meta on the search path), kept
-- here once: warehouse/examples.py reads them for `tertial demo` (`make run`) and the
-- benchmark (bench/queries.py); README.md's "Analysts" section shows some of them, word
-- for word (tests/integration/test_readme_examples.py checks it).
--
-- Each starts with `-- query: <name>`, then any of:
--   -- demo: yes            `tertial demo` prints it and its answer (in this order)
--   -- scope: board|city    the benchmark times it: one board's report (p50 target
--                           100 ms) or city-wide (1 s)
--   -- readme: <labels>     README.md's examples of these labels (`#### <label>. <name>`)
--                           are this query: D1..D10 the questions on the demo city
--                           (2022-2024, what `make run` builds), 1..10 the same questions
--                           on the 2011 reference files; `D7, 7` when both are this one
-- then the SQL, one statement (a trailing `;` is dropped).
--
-- The README's questions on the demo city come first. Each figure README.md quotes
-- beside them comes from the demo's registers, budgets, sick leave or indicators, or
-- from which file delivered what: none depends on the ledger's volume (`tertial demo
-- --rows-per-board-month`), so the test's small demo shows them too. Then the same
-- questions on the 2011 reference files (`servicenamnden-2011/`, in the project's shared
-- folder; tests/integration/test_serving.py runs them there). Freshness and net cost per
-- board and year ask nothing of a year: one query serves both blocks (`D7, 7`).

-- query: Net cost per board in the latest year (kronor), the five largest
-- demo: yes
-- scope: city
select n.namnd_name, p.year,
       -- signed as booked: costs positive, revenues negative, so the sum is the net cost
       sum(f.amount) filter (where k.followup_slag in ('Kostnader', 'Intäkter')) as net_cost
from fct_ledger f
-- dim_namnd keeps every version of a board: is_current gives one row, today's name
join dim_namnd n on n.namnd_key = f.namnd_key and n.is_current
join dim_konto k using (konto_key)
join dim_period p using (period_key)
where p.year = (select max(period) // 100 from fct_ledger)
group by all
order by net_cost desc
limit 5;

-- query: Servicenämnden (142): booked costs and revenues per activity through T2 (Jan-Aug)
-- demo: yes
-- scope: board
select v.verksamhet_code, v.verksamhet_name, k.followup_slag as slag,
       sum(f.amount * k.followup_sign) as booked_ytd
from fct_ledger f
join dim_verksamhet v on v.verksamhet_key = f.verksamhet_key and v.is_current
join dim_konto k using (konto_key)
join dim_period p using (period_key)
where f.namnd_code = '142' and k.followup_slag in ('Kostnader', 'Intäkter')
  and p.year = (select max(period) // 100 from fct_ledger) and p.month <= 8
group by all
order by slag, v.verksamhet_code;

-- query: What the event log holds: batches per source and status
-- demo: yes
select source, status, count(*) as batches, sum(row_count) as rows
from meta.batches
group by all
order by all;

-- query: one board's net cost per month over every year
-- scope: board
select f.period, sum(f.amount) as net_cost
from fct_ledger f
join dim_konto k using (konto_key)
where f.namnd_code = '139' and k.followup_slag in ('Kostnader', 'Intäkter')
group by all
order by f.period;

-- query: one board's costs per account group, latest year against the year before
-- scope: board
select k.kontogrupp, k.kontogrupp_name, p.year, sum(f.amount * k.followup_sign) as amount
from fct_ledger f
join dim_konto k using (konto_key)
join dim_period p using (period_key)
where f.namnd_code = '142' and k.followup_slag = 'Kostnader'
  and p.year >= (select max(period) // 100 from fct_ledger) - 1
group by all
order by k.kontogrupp, p.year;

-- query: one board's personnel costs (class 5) per month of the latest year
-- scope: board
select p.year, p.month, p.month_name, sum(f.amount) as personnel_cost
from fct_ledger f
join dim_konto k using (konto_key)
join dim_period p using (period_key)
where f.namnd_code = '117' and k.kontoklass = 5
  and p.year = (select max(period) // 100 from fct_ledger)
group by all
order by p.month;

-- query: one board's costs and revenues per tertial of the latest year
-- scope: board
select p.tertial, k.followup_slag as slag, sum(f.amount * k.followup_sign) as amount
from fct_ledger f
join dim_konto k using (konto_key)
join dim_period p using (period_key)
where f.namnd_code = '142' and k.followup_slag in ('Kostnader', 'Intäkter')
  and p.year = (select max(period) // 100 from fct_ledger)
group by all
order by p.tertial, slag;

-- query: costs and revenues per board and year, every year
-- scope: city
select n.namnd_code, n.namnd_name, p.year, k.followup_slag as slag,
       sum(f.amount * k.followup_sign) as amount
from fct_ledger f
join dim_namnd n using (namnd_key)
join dim_konto k using (konto_key)
join dim_period p using (period_key)
where k.followup_slag in ('Kostnader', 'Intäkter')
group by all
order by n.namnd_code, p.year, slag;

-- query: depreciation (79) per board and year
-- scope: city
select f.namnd_code, p.year, sum(f.amount) as depreciation
from fct_ledger f
join dim_konto k using (konto_key)
join dim_period p using (period_key)
where k.kontogrupp = '79'
group by all
order by f.namnd_code, p.year;

-- query: the ten activities whose costs grew most, latest year against the year before
-- scope: city
with yearly as (
    select f.namnd_code, f.verksamhet_code, p.year, sum(f.amount * k.followup_sign) as cost
    from fct_ledger f
    join dim_konto k using (konto_key)
    join dim_period p using (period_key)
    where k.followup_slag = 'Kostnader'
      and p.year >= (select max(period) // 100 from fct_ledger) - 1
    group by all
)
select latest.namnd_code, latest.verksamhet_code, v.verksamhet_name,
       latest.cost - earlier.cost as growth
from yearly latest
join yearly earlier
  on latest.namnd_code = earlier.namnd_code
 and latest.verksamhet_code = earlier.verksamhet_code
 and latest.year = earlier.year + 1
join dim_verksamhet v
  on v.namnd_code = latest.namnd_code and v.verksamhet_code = latest.verksamhet_code
 and v.is_current
order by growth desc
limit 10;

-- query: ledger lines and net amount per month, the whole city
-- scope: city
select f.period, sum(f.line_count) as lines, sum(f.amount) as net
from fct_ledger f
group by all
order by f.period;

-- query: Budget follow-up of a board at T2 2024
-- readme: D1
-- Servicenämnden (142), tertialrapport 2 2024 (through August): the report's table in mnkr,
-- as printed
select verksamhet_code, verksamhet_name, slag, adjusted_budget, booked_ytd, forecast,
       deviation, previous_year_outcome
from rpt_budget_followup_mnkr
where namnd_code = '142' and year = 2024 and through_period = 202408
  and (slag <> 'Netto' or is_total)
order by slag, is_total, verksamhet_code;

-- query: The whole city at T2 2024
-- readme: D2
-- Every board's net result at T2 2024 (Nettoresultat = intäkter - kostnader), mnkr,
-- the largest deviation from budget first
select namnd_code, namnd_name, adjusted_budget, booked_ytd, forecast, deviation
from rpt_budget_followup_mnkr
where year = 2024 and report = 'T2' and is_total and slag = 'Netto'
order by deviation, namnd_code;

-- query: Sick-leave trend, 2022-2024
-- readme: D3
-- Servicenämnden's sick leave, rolling 12 months, month by month (% of scheduled hours).
-- Groups under 10 persons are suppressed (null) in every breakdown; totals include them.
select period, sick_leave_pct, day_1_14_pct, day_15_plus_pct, long_term_share_pct
from rpt_sick_leave
where namnd_code = '142' and time_window = 'rolling_12m'
  and gender = 'Alla' and age_group = 'Alla'
order by period;

-- query: Indicators that missed their target at T2 2024
-- readme: D4
-- Indicators the boards assessed at T2 2024 as not met (uppfylls ej) or partly met
-- (uppfylls delvis), with the figure as reported
select namnd_code, year, report, goal_reference, indicator_name, outcome_text,
       target_text, assessment
from rpt_indicators
where year = 2024 and report = 'T2' and assessment in ('not_met', 'partly_met')
order by assessment = 'partly_met', namnd_code, goal_reference;

-- query: Departments across the 2019 reorganisation
-- readme: D5
-- Kommunstyrelsen's (101) departments before and after 1 January 2019, and where the
-- work of each closed one went (successor codes)
select namnd_code, namnd_name, valid_from, valid_to, successor_codes
from dim_namnd
where parent_namnd_code = '101'
order by valid_from, namnd_code;

-- query: Lineage: the files behind a board's year
-- readme: D8
-- Servicenämnden's 2022 ledger month by month with the delivered file behind it:
-- June shows huvudbok_202206_142_rattelse.csv, the complete re-export that superseded
-- June's first delivery
select f.period, b.file_name, b.recorded_at, sum(f.line_count) as ledger_lines,
       sum(f.amount) as amount_as_booked
from fct_ledger as f
inner join meta.batches as b using (batch_id)
where f.namnd_code = '142' and f.period between 202201 and 202212
group by all
order by f.period;

-- query: Month by month in 2024, with the result so far
-- readme: D10
-- Servicenämnden 2024: costs, revenues and net per month, and the net result so far
with months as (
    select p.period_key as period, p.month_name,
           sum(f.amount * k.followup_sign) filter (where k.followup_slag = 'Kostnader') as costs,
           sum(f.amount * k.followup_sign) filter (where k.followup_slag = 'Intäkter') as revenues
    from fct_ledger as f
    inner join dim_konto as k using (konto_key)
    inner join dim_period as p using (period_key)
    where f.namnd_code = '142' and p.year = 2024
    group by all
)
select period, month_name, costs, revenues, revenues - costs as net,
       sum(revenues - costs) over (order by period) as net_so_far
from months
order by period;

-- query: Budget follow-up of a board at T2
-- readme: 1
-- Servicenämnden (142), tertialrapport 2 2011 (through August): the report's table in mnkr,
-- as printed
select verksamhet_code, verksamhet_name, slag, adjusted_budget, booked_ytd, forecast,
       deviation, previous_year_outcome
from rpt_budget_followup_mnkr
where namnd_code = '142' and year = 2011 and through_period = 201108
  and (slag <> 'Netto' or is_total)
order by slag, is_total, verksamhet_code;

-- query: The whole city at T2
-- readme: 2
-- Every board's net result at T2 2011 (Nettoresultat = intäkter - kostnader), mnkr,
-- the largest deviation from budget first
select namnd_code, namnd_name, adjusted_budget, booked_ytd, forecast, deviation
from rpt_budget_followup_mnkr
where year = 2011 and report = 'T2' and is_total and slag = 'Netto'
order by deviation, namnd_code;

-- query: Sick-leave trend
-- readme: 3
-- Servicenämnden's sick leave, rolling 12 months, month by month (% of scheduled hours).
-- Groups under 10 persons are suppressed (null) in every breakdown; totals include them.
select period, sick_leave_pct, day_1_14_pct, day_15_plus_pct, long_term_share_pct
from rpt_sick_leave
where namnd_code = '142' and time_window = 'rolling_12m'
  and gender = 'Alla' and age_group = 'Alla'
order by period;

-- query: Indicators that missed their target
-- readme: 4
-- Indicators the boards assessed as not met (uppfylls ej) or partly met (uppfylls delvis)
select namnd_code, year, report, goal_reference, indicator_name, outcome_text,
       target_text, assessment
from rpt_indicators
where assessment in ('not_met', 'partly_met')
order by assessment = 'partly_met', namnd_code, goal_reference;

-- query: A board's history across the 2007 reorganisation
-- readme: 5
-- Kommunstyrelsen's (101) departments before and after 1 January 2007, and where the
-- work of each closed one went (successor codes)
select namnd_code, namnd_name, valid_from, valid_to, successor_codes
from dim_namnd
where parent_namnd_code = '101'
order by valid_from, namnd_code;

-- query: Freshness: how recent is each source?
-- readme: D7, 7
-- Per source and board: the newest period loaded, and the delivery that brought it
select source_name, namnd_code, newest_period, through_month, file_name, recorded_at
from meta_freshness
order by through_month desc nulls last, source_name;

-- query: Lineage: which file does a figure come from?
-- readme: 8
-- Servicenämnden's 2011 ledger month by month with the delivered file behind it:
-- June shows leverans2, the complete re-export that superseded leverans1
select f.period, b.file_name, b.recorded_at, sum(f.line_count) as ledger_lines,
       sum(f.amount) as amount_as_booked
from fct_ledger as f
inner join meta.batches as b using (batch_id)
where f.namnd_code = '142' and f.period between 201101 and 201112
group by all
order by f.period;

-- query: Net cost per board and year
-- readme: D9, 9
-- Kostnader minus Intäkter of the operating follow-up, kronor (amounts are signed as
-- booked, so their sum over both is the net cost)
select f.namnd_code, p.year, sum(f.amount) as net_cost
from fct_ledger as f
inner join dim_konto as k using (konto_key)
inner join dim_period as p using (period_key)
where k.followup_slag in ('Kostnader', 'Intäkter')
group by all
order by f.namnd_code, p.year;

-- query: Month by month, with the result so far
-- readme: 10
-- Servicenämnden 2011: costs, revenues and net per month, and the net result so far
with months as (
    select p.period_key as period, p.month_name,
           sum(f.amount * k.followup_sign) filter (where k.followup_slag = 'Kostnader') as costs,
           sum(f.amount * k.followup_sign) filter (where k.followup_slag = 'Intäkter') as revenues
    from fct_ledger as f
    inner join dim_konto as k using (konto_key)
    inner join dim_period as p using (period_key)
    where f.namnd_code = '142' and p.year = 2011
    group by all
)
select period, month_name, costs, revenues, revenues - costs as net,
       sum(revenues - costs) over (order by period) as net_so_far
from months
order by period;
