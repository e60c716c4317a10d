{#
  The unit reports a province expects (contract §1.6): for each period the province reports
  (the reporting calendar, int_expected_reports) from the first period any of its units reported,
  and each period a unit reported outside the calendar, every unit of its list valid at the
  period's end. Due the var unit_report_due_working_days-th working day after the cut-off.
#}

with

units as (

    select * from {{ ref('stg_raw__units') }}

),

unit_files as (

    select * from {{ ref('stg_raw__report_files') }}
    where is_unit_report

),

calendar as (

    select * from {{ ref('int_expected_reports') }}
    where dataset in ({% for dataset in form_datasets() %}'{{ dataset }}'{{ ', ' if not loop.last }}{% endfor %})

),

working_days as (

    select * from {{ ref('int_working_days') }}

),

unit_reporting_start as (

    select
        province_code,
        min(period_end) as first_period_end

    from unit_files
    group by province_code

),

province_periods as (

    select
        calendar.dataset,
        calendar.province_code,
        calendar.period,
        calendar.period_start,
        calendar.period_end

    from calendar
    inner join unit_reporting_start
        on calendar.province_code = unit_reporting_start.province_code
    where calendar.period_end >= unit_reporting_start.first_period_end

    union

    select distinct
        dataset,
        province_code,
        period,
        period_start,
        period_end

    from unit_files

),

due_dates as (

    select
        province_periods.*,
        (
            select min(due_day.calendar_date)
            from working_days as due_day
            where due_day.is_working_day
                and due_day.working_day_number = cutoff.working_day_number + {{ var('unit_report_due_working_days') }}
        ) as due_date

    from province_periods
    left join working_days as cutoff
        on cutoff.calendar_date = {{ dbt.dateadd('day', 1, 'province_periods.period_end') }}

),

expected as (

    select
        due_dates.dataset,
        due_dates.province_code,
        due_dates.period,
        due_dates.period_start,
        due_dates.period_end,
        due_dates.due_date,
        units.unit_code,
        units.unit_name,
        units.level,
        units.parent_code,
        units.list_position,
        units.emails

    from due_dates
    inner join units
        on due_dates.province_code = units.province_code
        and due_dates.period_end >= coalesce(units.valid_from, due_dates.period_end)
        and due_dates.period_end <= coalesce(units.valid_to, due_dates.period_end)

)

select * from expected
