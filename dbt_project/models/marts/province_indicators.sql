{#
  One row per province, period and indicator whose dataset the current report covers
  (contract §2.2). Ratios are numerator / denominator of the report-level figures; a value
  that cannot be computed is NULL, never 0.
#}

with

current_versions as (

    select * from {{ ref('int_report_versions') }}
    where is_current and not is_unit_report  -- the province's own reports; unit reports are compiled (compiled_reports)

),

indicator_values as (

    select * from {{ ref('int_indicator_values') }}

),

provinces as (

    select * from {{ ref('dim_provinces') }}

),

province_indicators as (

    select
        current_versions.province_code,
        provinces.province_name,
        current_versions.period,
        current_versions.period_start,
        current_versions.period_end,
        indicator_values.indicator_code,
        indicator_values.numerator,
        indicator_values.denominator,
        indicator_values.value,
        indicator_values.unit,
        current_versions.file_path as source_file

    from current_versions
    inner join indicator_values
        on current_versions.file_path = indicator_values.file_path
        and current_versions.file_sha256 = indicator_values.file_sha256
    left join provinces
        on current_versions.province_code = provinces.province_code
        and current_versions.period_end >= coalesce(provinces.valid_from, current_versions.period_end)
        and current_versions.period_end <= coalesce(provinces.valid_to, current_versions.period_end)

)

select
    province_indicators.*,
    {{ run_id() }} as run_id
from province_indicators
