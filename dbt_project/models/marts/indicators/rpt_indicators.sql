{#-
    The indicator follow-up as the boards report it (Mål, Indikator, Periodens utfall,
    Prognos helår, Årsmål, KF:s årsmål, Period, Bedömning), with beside each indicator
    - the previous year's outcome of the same indicator (dim_indicator) from the same
      board: that year's newest report with an outcome (VB before T2 before T1);
    - where the warehouse can compute the indicator itself (dim_indicator.
      computed_measure), its own figure, so a controller sees where the two disagree:
      - sick_leave_rolling_12m: rpt_sick_leave, all employees, rolling 12 months. The
        reports lag a month during the year: T1 through March, T2 through July
        (Servicenämnden T2 2011: "augusti 2010 - juli 2011" = 5,5 %), VB through
        December (its 2010 figure is "januari - december 2010" = 4,7 %). Null unless
        the window holds all 12 months.
      - budget_adherence (efter resultatöverföringar), budget_adherence_before_transfers
        (före), forecast_accuracy_t2: int_budget_indicators_computed. Budgetföljsamhet
        in a T1 or T2 report is that occasion's forecast against the budget, through
        April or August, as the boards report it then; in VB the booked year, through
        December (null until the year is booked). Prognossäkerhet T2 is a year-end
        figure in every report. Null when the budget measured against is 0
        (Servicenämnden T2 2011: före null, efter 100,0 %, as its report prints).
    - computed_status: whether the reported outcome reaches the board's own target
      (Årsmål), in the direction the targets' words give (`Öka`/`minska`; for sick
      leave, the warehouse's own measure, lower), in the same unit; null where any of
      that is missing (most indicators carry no direction). assessment_disagrees: the
      board assessed "met" where the figures say "not met", or the reverse ("partly
      met" is the board's judgement and never flagged).
-#}
with

facts as (

    select * from {{ ref('fct_indicator') }}

),

indicators as (

    select * from {{ ref('dim_indicator') }}

),

previous_year as (

    select
        namnd_code,
        indicator_key,
        report as previous_year_report,
        outcome_text as previous_year_outcome_text,
        outcome_value as previous_year_outcome_value,
        outcome_unit as previous_year_outcome_unit,
        year + 1 as year,
        row_number() over (
            partition by namnd_code, indicator_key, year
            order by
                case report when 'VB' then 3 when 'T2' then 2 when 'T1' then 1 end desc,
                line_number asc
        ) as recency
    from facts
    where outcome_kind <> 'empty'

),

sick_leave as (

    select
        namnd_code,
        period,
        sick_leave_pct
    from {{ ref('rpt_sick_leave') }}
    where
        time_window = 'rolling_12m'
        and gender = 'Alla'
        and age_group = 'Alla'
        and month_count = 12

),

budget_indicators as (

    select * from {{ ref('int_budget_indicators_computed') }}

),

reported as (

    select
        facts.*,
        indicators.indicator_level,
        indicators.unit,
        indicators.higher_is_better,
        indicators.computed_measure,
        case indicators.computed_measure
            when 'sick_leave_rolling_12m'
                then
                    facts.measured_year * 100
                    + case facts.measured_report
                        when 'T1' then 3 when 'T2' then 7 when 'VB' then 12
                    end
            when 'forecast_accuracy_t2' then facts.year * 100 + 12
            when 'budget_adherence'
                then {{ report_closing_period('facts.year', 'facts.report') }}
            when 'budget_adherence_before_transfers'
                then {{ report_closing_period('facts.year', 'facts.report') }}
        end as computed_through_period
    from facts
    inner join indicators
        on facts.indicator_key = indicators.indicator_key

),

computed as (

    select
        reported.*,
        cast(
            case reported.computed_measure
                when 'sick_leave_rolling_12m' then sick_leave.sick_leave_pct
                when 'budget_adherence'
                    then
                        case reported.report
                            when 'T1' then budget_indicators.budget_adherence_t1_pct
                            when 'T2' then budget_indicators.budget_adherence_t2_pct
                            when 'VB' then budget_indicators.budget_adherence_pct
                        end
                when 'budget_adherence_before_transfers'
                    then
                        case reported.report
                            when 'T1' then budget_indicators.budget_adherence_before_t1_pct
                            when 'T2' then budget_indicators.budget_adherence_before_t2_pct
                            when 'VB' then budget_indicators.budget_adherence_before_pct
                        end
                when 'forecast_accuracy_t2'
                    then budget_indicators.forecast_accuracy_t2_pct
            end as decimal(18, 1)
        ) as computed_value,
        case when reported.computed_measure is not null then '%' end as computed_unit
    from reported
    left join sick_leave
        on
            reported.computed_measure = 'sick_leave_rolling_12m'
            and reported.namnd_code = sick_leave.namnd_code
            and reported.computed_through_period = sick_leave.period
    left join budget_indicators
        on
            reported.computed_measure in (
                'budget_adherence', 'budget_adherence_before_transfers', 'forecast_accuracy_t2'
            )
            and reported.namnd_code = budget_indicators.namnd_code
            and reported.year = budget_indicators.year

),

compared as (

    select
        *,
        cast(outcome_value - computed_value as decimal(18, 4)) as outcome_minus_computed,
        -- The direction a target is reached in: the targets' words (dim_indicator), else
        -- what the warehouse knows of a measure it computes (less sick leave is better).
        case
            when higher_is_better is not null then higher_is_better
            when computed_measure = 'sick_leave_rolling_12m' then false
        end as reached_upwards
    from computed

),

statused as (

    select
        *,
        case
            when
                outcome_value is null
                or target_value is null
                or reached_upwards is null
                or coalesce(outcome_unit, '') <> coalesce(target_unit, '')
                then null
            when
                (reached_upwards and outcome_value >= target_value)
                or (not reached_upwards and outcome_value <= target_value)
                then 'met'
            else 'not_met'
        end as computed_status
    from compared

),

flagged as (

    select
        *,
        coalesce(
            (assessment = 'met' and computed_status = 'not_met')
            or (assessment = 'not_met' and computed_status = 'met'),
            false
        ) as assessment_disagrees
    from statused

)

select
    -- keys
    compared.namnd_code,
    compared.year,
    compared.report,
    compared.goal_reference,
    compared.indicator_name,
    compared.indicator_key,

    -- the indicator
    compared.indicator_level,
    compared.unit,
    compared.higher_is_better,

    -- as reported
    compared.outcome_text,
    compared.outcome_value,
    compared.outcome_unit,
    compared.forecast_text,
    compared.forecast_value,
    compared.target_text,
    compared.target_value,
    compared.target_unit,
    compared.kf_target_text,
    compared.kf_target_value,
    compared.kf_target_unit,
    compared.kf_target_kind,
    compared.period_text,
    compared.measured_report,
    compared.measured_year,
    compared.assessment_text,
    compared.assessment,

    -- previous year
    previous_year.previous_year_report,
    previous_year.previous_year_outcome_text,
    previous_year.previous_year_outcome_value,
    previous_year.previous_year_outcome_unit,

    -- the warehouse's own figure
    compared.computed_measure,
    compared.computed_through_period,
    compared.computed_value,
    compared.computed_unit,
    compared.outcome_minus_computed,
    compared.computed_status,
    compared.assessment_disagrees,

    -- lineage
    compared.batch_id,
    compared.recorded_at

from flagged as compared
left join previous_year
    on
        compared.namnd_code = previous_year.namnd_code
        and compared.indicator_key = previous_year.indicator_key
        and compared.year = previous_year.year
        and previous_year.recency = 1
