{#
  Who has sent what, and when it was due. Every report the calendar expects (int_expected_reports:
  from the reporting schedule, not from what someone happened to send), and every province for
  any other period and dataset someone reported, with the state of its report: current (an
  accepted version is in use), rejected (versions arrived, none accepted) or missing. Where the
  calendar sets a due date, its timeliness on the run's date: on_time or late (the first
  acceptable version arrived by, or after, the due date), rejected_pending (only rejected
  versions so far), overdue, due_soon (due within 5 working days) or not_yet_due.
#}

with

versions as (

    select * from {{ ref('int_report_versions') }}
    where not is_snapshot and not is_unit_report  -- snapshots are captured, not submitted; units: unit_submissions

),

-- files turned away before their rows were read (an ambiguous header, a conflict, an encoding)
turned_away as (

    select dataset, province_code, period, count(*) as files_turned_away
    from {{ ref('stg_audit__ingest_log') }}
    where status in ('rejected', 'refused')
        and dataset is not null and province_code is not null and period is not null
        and unit_code is null
        {%- for dataset in raw_datasets('snapshots') %}
        and dataset <> '{{ dataset }}'
        {%- endfor %}
    group by dataset, province_code, period

),

provinces as (

    select * from {{ ref('dim_provinces') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

calendar as (

    select * from {{ ref('int_expected_reports') }}

),

working_days as (

    select * from {{ ref('int_working_days') }}

),

reported_periods as (

    select distinct dataset, period from versions
    union
    select distinct dataset, period from turned_away

),

reported as (

    select
        reported_periods.period,
        periods.period_start,
        periods.period_end,
        reported_periods.dataset,
        provinces.province_code,
        provinces.province_name,
        cast(null as date) as due_date

    from reported_periods
    inner join periods
        on reported_periods.period = periods.period
    inner join provinces
        on periods.period_end >= coalesce(provinces.valid_from, periods.period_end)
        and periods.period_end <= coalesce(provinces.valid_to, periods.period_end)

),

delivered as (

    select
        dataset,
        province_code,
        period,
        count(*) as versions_delivered,
        max(case when is_current then file_path end) as current_file,
        max(case when is_current then revision end) as current_revision,
        max(last_delivered_at) as last_delivered_at,
        min(case when not is_rejected and not is_withdrawn then first_delivered_at end) as first_accepted_at

    from versions
    group by dataset, province_code, period

),

expected as (

    select
        period,
        period_start,
        period_end,
        dataset,
        province_code,
        province_name,
        due_date

    from calendar

    union all

    select reported.*
    from reported
    where not exists (
        select 1
        from calendar
        where calendar.dataset = reported.dataset
            and calendar.period = reported.period
            and calendar.province_code = reported.province_code
    )

),

today as (

    select working_day_number from working_days where calendar_date = {{ as_of_date() }}

),

submissions as (

    select
        expected.period,
        expected.period_start,
        expected.period_end,
        expected.dataset,
        expected.province_code,
        expected.province_name,
        {{ report_status('delivered', 'turned_away') }} as status,
        delivered.current_file,
        delivered.current_revision,
        coalesce(delivered.versions_delivered, 0) as versions_delivered,
        coalesce(turned_away.files_turned_away, 0) as files_turned_away,
        delivered.last_delivered_at,
        expected.due_date,
        delivered.first_accepted_at,
        {{ report_timeliness('delivered', 'turned_away', 'due_day', 'expected.due_date') }} as timeliness

    from expected
    left join delivered
        on expected.dataset = delivered.dataset
        and expected.province_code = delivered.province_code
        and expected.period = delivered.period
    left join turned_away
        on expected.dataset = turned_away.dataset
        and expected.province_code = turned_away.province_code
        and expected.period = turned_away.period
    left join working_days as due_day
        on expected.due_date = due_day.calendar_date

)

select
    submissions.*,
    {{ run_id() }} as run_id
from submissions
