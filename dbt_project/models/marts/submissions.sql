{#
  Who has sent what: for every period and dataset that any province reported, every province
  valid at the end of that period, with the status of its report: current (an accepted version
  is in use), rejected (versions arrived, none accepted) or missing.
#}

with

versions as (

    select * from {{ ref('int_report_versions') }}

),

-- files turned away before their rows were read (an ambiguous header, a conflict, an encoding)
turned_away as (

    select dataset, province_code, period, count(*) as files_turned_away
    from {{ ref('stg_audit__ingest_log') }}
    where status in ('rejected', 'refused')
        and dataset is not null and province_code is not null and period is not null
    group by dataset, province_code, period

),

provinces as (

    select * from {{ ref('dim_provinces') }}

),

periods as (

    select * from {{ ref('dim_periods') }}

),

reported_periods as (

    select distinct dataset, period from versions
    union
    select distinct dataset, period from turned_away

),

expected as (

    select
        reported_periods.period,
        periods.period_start,
        periods.period_end,
        reported_periods.dataset,
        provinces.province_code,
        provinces.province_name

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
        max(last_delivered_at) as last_delivered_at

    from versions
    group by dataset, province_code, period

),

submissions as (

    select
        expected.period,
        expected.period_start,
        expected.period_end,
        expected.dataset,
        expected.province_code,
        expected.province_name,
        case
            when delivered.current_file is not null then 'current'
            when delivered.versions_delivered > 0 or turned_away.files_turned_away > 0 then 'rejected'
            else 'missing'
        end as status,
        delivered.current_file,
        delivered.current_revision,
        coalesce(delivered.versions_delivered, 0) as versions_delivered,
        coalesce(turned_away.files_turned_away, 0) as files_turned_away,
        delivered.last_delivered_at

    from expected
    left join delivered
        on expected.dataset = delivered.dataset
        and expected.province_code = delivered.province_code
        and expected.period = delivered.period
    left join turned_away
        on expected.dataset = turned_away.dataset
        and expected.province_code = turned_away.province_code
        and expected.period = turned_away.period

)

select
    submissions.*,
    {{ run_id() }} as run_id
from submissions
