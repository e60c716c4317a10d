{#
  Every day of the calendar's span, whether it is a working day (not a Saturday or Sunday, not a
  public holiday), and the number of working days up to and including it: the n-th working
  day after a date is the one whose number is that date's plus n.
#}

with

periods as (

    select * from {{ ref('stg_raw__calendar_periods') }}

),

holidays as (

    select * from {{ ref('public_holidays') }}

),

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ (var('reporting_calendar_start_year') | int - 1) ~ "-12-01' as date)",
        "cast('2041-01-01' as date)",
    ) }}

),

marked as (

    select
        cast(days.date_day as date) as calendar_date,
        extract(dow from days.date_day) not in (0, 6) and holidays.holiday_date is null as is_working_day,
        holidays.name_vi as holiday_name_vi

    from days
    left join holidays
        on cast(days.date_day as date) = holidays.holiday_date

),

numbered as (

    select
        calendar_date,
        is_working_day,
        holiday_name_vi,
        sum(case when is_working_day then 1 else 0 end) over (
            order by calendar_date rows between unbounded preceding and current row
        ) as working_day_number

    from marked

)

select * from numbered
where calendar_date <= (select max(period_end) + 90 from periods)
