{#
  Dossier results recomputed from the records, for every version of a dossier_results report:
  the monthly exports of the report's province whose month falls in the report's period
  (2020 → 2020-01…2020-12, 2021-Q3 → 2021-07…2021-09). Records are attributed to periods by
  their export month. Compared only where every month of the period has an export.
#}

with

report_figures as (

    select * from {{ ref('int_report_figures__dossier_results') }}

),

versions as (

    select * from {{ ref('stg_raw__report_files') }}
    where dataset = 'dossier_results'

),

monthly as (

    select * from {{ ref('fct_dossiers_monthly') }}

),

report_months as (

    select
        file_path,
        file_sha256,
        province_code,
        cast(substring(period, 1, 4) as integer) as year,
        case
            when length(period) = 4 then 1
            when substring(period, 6, 1) = 'H' then 6 * cast(substring(period, 7, 1) as integer) - 5
            when substring(period, 6, 1) = 'Q' then 3 * cast(substring(period, 7, 1) as integer) - 2
            else cast(substring(period, 6, 2) as integer)
        end as first_month,
        case
            when length(period) = 4 then 12
            when substring(period, 6, 1) = 'H' then 6 * cast(substring(period, 7, 1) as integer)
            when substring(period, 6, 1) = 'Q' then 3 * cast(substring(period, 7, 1) as integer)
            else cast(substring(period, 6, 2) as integer)
        end as last_month

    from versions

),

from_records as (

    select
        report_months.file_path,
        report_months.file_sha256,
        max(report_months.last_month - report_months.first_month + 1) as months_in_period,
        count(distinct monthly.month) as months_exported,
        cast(sum(monthly.received) as bigint) as received_total,
        cast(sum(monthly.resolved_total) as bigint) as resolved_total,
        cast(sum(monthly.resolved_early) as bigint) as resolved_early,
        cast(sum(monthly.resolved_on_time) as bigint) as resolved_on_time,
        cast(sum(monthly.resolved_late) as bigint) as resolved_late,
        bool_or(monthly.is_synthetic) as includes_synthetic

    from report_months
    inner join monthly
        on report_months.province_code = monthly.province_code
        and cast(substring(monthly.month, 1, 4) as integer) = report_months.year
        and cast(substring(monthly.month, 6, 2) as integer) between report_months.first_month and report_months.last_month
    group by report_months.file_path, report_months.file_sha256

)

select
    from_records.*,
    from_records.months_exported = from_records.months_in_period as coverage_complete

from from_records
