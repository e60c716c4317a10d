{#
  Dossier results recomputed from the records, for every version of a dossier_results report:
  the current monthly exports of the report's province whose cut-off window ends within the
  report's (2020 → 2020-01…2020-12, 2021-Q3 → 2021-07…2021-09), both as stored with each file
  at ingestion (raw.report_files). Records are attributed to periods by their export month.
  Compared only where every month of the period has an export.
#}

with

versions as (

    select * from {{ ref('stg_raw__report_files') }}
    where dataset = 'dossier_results' and not is_unit_report

),

current_exports as (

    select * from {{ ref('int_dossier_exports_current') }}
    where is_current

),

monthly as (

    select * from {{ ref('fct_dossiers_monthly') }}

),

from_records as (

    select
        versions.file_path,
        versions.file_sha256,
        max({{ dbt.datediff('versions.period_start', 'versions.period_end', 'month') }}) as months_in_period,
        count(distinct monthly.month) as months_exported,
        cast(sum(monthly.received) as bigint) as received_total,
        cast(sum(monthly.resolved_total) as bigint) as resolved_total,
        cast(sum(monthly.resolved_early) as bigint) as resolved_early,
        cast(sum(monthly.resolved_on_time) as bigint) as resolved_on_time,
        cast(sum(monthly.resolved_late) as bigint) as resolved_late,
        bool_or(monthly.is_synthetic) as includes_synthetic

    from versions
    inner join current_exports
        on versions.province_code = current_exports.province_code
        and current_exports.period_end between versions.period_start and versions.period_end
    inner join monthly
        on current_exports.province_code = monthly.province_code
        and current_exports.period = monthly.month
    group by versions.file_path, versions.file_sha256

)

select
    from_records.*,
    from_records.months_exported = from_records.months_in_period as coverage_complete

from from_records
