{#
  The reports the calendar expects: for each dataset and period type of the reporting schedule,
  each period whose start date has passed by the run's date, one report from each province
  valid at the end of the period (63 before 01/07/2025, 34 from then on), with its due date:
  the given day of the period's last month, or the n-th working day after the cut-off.
#}

with

schedule as (

    select * from {{ ref('reporting_schedule') }}

),

periods as (

    select * from {{ ref('stg_raw__calendar_periods') }}

),

provinces as (

    select * from {{ ref('dim_provinces') }}

),

working_days as (

    select * from {{ ref('int_working_days') }}

),

due_periods as (

    select
        schedule.dataset,
        periods.period,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        schedule.due_rule,
        schedule.due_value

    from schedule
    inner join periods
        on schedule.period_type = periods.period_type
    where periods.period_start <= {{ as_of_date() }}

),

cutoff_days as (

    select
        due_periods.dataset,
        due_periods.period,
        cutoff.working_day_number + due_periods.due_value as due_day_number

    from due_periods
    inner join working_days as cutoff
        on cutoff.calendar_date = {{ dbt.dateadd('day', 1, 'due_periods.period_end') }}
    where due_periods.due_rule = 'working_days_after_cutoff'

),

due_dates as (

    select
        due_periods.dataset,
        due_periods.period,
        due_periods.period_type,
        due_periods.period_start,
        due_periods.period_end,
        case
            when due_periods.due_rule = 'day_of_last_month'
                then cast({{ dbt.dateadd('day', 'due_periods.due_value - 1', dbt.date_trunc('month', 'due_periods.period_end')) }} as date)
            else (
                select min(working_days.calendar_date)
                from working_days
                where working_days.is_working_day and working_days.working_day_number = cutoff_days.due_day_number
            )
        end as due_date

    from due_periods
    left join cutoff_days
        on due_periods.dataset = cutoff_days.dataset
        and due_periods.period = cutoff_days.period

),

expected as (

    select
        due_dates.dataset,
        due_dates.period,
        due_dates.period_type,
        due_dates.period_start,
        due_dates.period_end,
        due_dates.due_date,
        provinces.province_code,
        provinces.province_name

    from due_dates
    inner join provinces
        on due_dates.period_end >= coalesce(provinces.valid_from, due_dates.period_end)
        and due_dates.period_end <= coalesce(provinces.valid_to, due_dates.period_end)

)

select * from expected
