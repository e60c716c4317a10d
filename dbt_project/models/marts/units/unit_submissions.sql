{#
  Who among a province's units has sent what, and when it was due (contract §1.6): every unit
  report the province expects (int_expected_unit_reports), with the state of its report (current,
  rejected or missing) and its timeliness on the run's date, by the rules of marts.submissions.
#}

with

expected as (

    select * from {{ ref('int_expected_unit_reports') }}

),

versions as (

    select * from {{ ref('int_report_versions') }}
    where is_unit_report

),

-- a unit's files turned away before their rows were read (a header, an encoding, not in the list)
turned_away as (

    select dataset, province_code, period, unit_code, count(*) as files_turned_away
    from {{ ref('stg_audit__ingest_log') }}
    where status in ('rejected', 'refused') and unit_code is not null and period is not null
    group by dataset, province_code, period, unit_code

),

working_days as (

    select * from {{ ref('int_working_days') }}

),

delivered as (

    select
        dataset,
        province_code,
        period,
        unit_code,
        count(*) as versions_delivered,
        max(case when is_current then file_path end) as current_file,
        max(case when is_current then revision end) as current_revision,
        max(last_delivered_at) as last_delivered_at,
        min(case when not is_rejected and not is_withdrawn then first_delivered_at end) as first_accepted_at

    from versions
    group by dataset, province_code, period, unit_code

),

today as (

    select working_day_number from working_days where calendar_date = {{ as_of_date() }}

),

unit_submissions as (

    select
        expected.period,
        expected.period_start,
        expected.period_end,
        expected.dataset,
        expected.province_code,
        expected.unit_code,
        expected.unit_name,
        expected.level,
        expected.emails,
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
        and expected.unit_code = delivered.unit_code
    left join turned_away
        on expected.dataset = turned_away.dataset
        and expected.province_code = turned_away.province_code
        and expected.period = turned_away.period
        and expected.unit_code = turned_away.unit_code
    left join working_days as due_day
        on expected.due_date = due_day.calendar_date

)

select
    unit_submissions.*,
    {{ run_id() }} as run_id
from unit_submissions
