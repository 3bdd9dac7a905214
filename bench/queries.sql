-- Ten analyst queries on the published snapshot (marts on the search path).
-- Swap them freely: each starts with `-- query:` and `-- scope: board|city`.

-- query: one board's booked costs and revenues per activity through T2 (README example)
-- scope: board
select v.verksamhet_code, v.verksamhet_name, k.followup_slag as slag,
       sum(f.amount * k.followup_sign) as booked_ytd
from fct_ledger f
join dim_verksamhet v using (verksamhet_key)
join dim_konto k using (konto_key)
join dim_period p using (period_key)
where f.namnd_code = '142' and k.followup_slag in ('Kostnader', 'Intäkter')
  and p.year = (select max(period) // 100 from fct_ledger) and p.month <= 8
group by all
order by slag, v.verksamhet_code;

-- query: net cost per board in the latest year, the five largest (README example)
-- scope: city
select n.namnd_name, p.year,
       sum(f.amount) filter (where k.followup_slag in ('Kostnader', 'Intäkter')) as net_cost
from fct_ledger f
join dim_namnd n using (namnd_key)
join dim_konto k using (konto_key)
join dim_period p using (period_key)
where p.year = (select max(period) // 100 from fct_ledger)
group by all
order by net_cost desc
limit 5;

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
order by growth desc
limit 10;

-- query: ledger lines and net amount per month, the whole city
-- scope: city
select f.period, sum(f.line_count) as lines, sum(f.amount) as net
from fct_ledger f
group by all
order by f.period;
