{#
  Each figure the narrative report states, against the value the warehouse computes. A
  figure matches when the computed value rounds to it at the precision it was written with:
  within half a unit of its last written digit ("33%" covers 32.5 % to 33.5 %).
#}

with

reported as (

    select * from {{ ref('stg_raw__reported_indicators') }}

),

current_versions as (

    select * from {{ ref('int_report_versions') }}
    where is_current and not is_unit_report  -- the province's own reports; unit reports are compiled (compiled_reports)

),

catalog as (

    select * from {{ ref('dim_indicators') }}

),

computed as (

    select * from {{ ref('province_indicators') }}

),

identified as (

    select
        current_versions.province_code,
        current_versions.period,
        reported.file_path as source_file,
        reported.line_number,
        coalesce(catalog.indicator_code, reported.indicator_written) as indicator_code,
        catalog.indicator_code is not null as in_catalog,
        catalog.unit,
        reported.reported_text,
        reported.reported_number,
        reported.reported_decimals,
        reported.reported_is_percent

    from reported
    inner join current_versions
        on reported.file_path = current_versions.file_path
        and reported.file_sha256 = current_versions.file_sha256
    left join catalog
        on reported.indicator_key = {{ normalize_label('catalog.indicator_code') }}
        or reported.indicator_key = {{ normalize_label('catalog.name_vi') }}

),

scaled as (

    select
        identified.*,
        -- a ratio written with "%", or above 1 without it, is a percentage
        case
            when unit = 'ratio' and (reported_is_percent or reported_number > 1) then 100.0
            else 1.0
        end as scale

    from identified

),

compared as (

    select
        scaled.province_code,
        scaled.period,
        scaled.indicator_code,
        scaled.reported_text,
        scaled.reported_number / scaled.scale as reported_value,
        computed.value as computed_value,
        cast(0.5 * power(10.0, -scaled.reported_decimals) / scaled.scale as double precision) as tolerance,
        case
            when computed.value is null or scaled.reported_number is null then 'not_computable'
            when abs(computed.value - scaled.reported_number / scaled.scale)
                <= 0.5 * power(10.0, -scaled.reported_decimals) / scaled.scale + {{ var('reconciliation_epsilon') }}
                then 'match'
            else 'mismatch'
        end as status,
        scaled.in_catalog,
        scaled.source_file,
        scaled.line_number

    from scaled
    left join computed
        on scaled.province_code = computed.province_code
        and scaled.period = computed.period
        and scaled.indicator_code = computed.indicator_code

)

select
    compared.*,
    {{ run_id() }} as run_id
from compared
