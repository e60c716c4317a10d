{# An indicator in a narrative report that is not in the catalog (warn: kept, not reconciled). #}

with

reported_indicators as (

    select * from {{ ref('stg_raw__reported_indicators') }}

),

indicator_catalog as (

    select * from {{ ref('indicators') }}

),

findings as (

    select
        reported_indicators.file_path,
        reported_indicators.file_sha256,
        reported_indicators.line_number,
        'warn' as severity,
        'unknown_indicator' as check_code,
        'reported_indicators' as dataset,
        'indicator_code' as column_name,
        'Indicator "' || reported_indicators.indicator_written
        || '" is not in the catalog (marts.dim_indicators): kept, but not reconciled.' as message,
        'Chỉ tiêu "' || reported_indicators.indicator_written
        || '" không có trong danh mục (marts.dim_indicators): vẫn lưu nhưng không đối chiếu được.' as message_vi,
        'a code or name of marts.dim_indicators' as expected_value,
        reported_indicators.indicator_written as actual_value

    from reported_indicators
    left join indicator_catalog as catalog
        on reported_indicators.indicator_key = {{ normalize_label('catalog.indicator_code') }}
        or reported_indicators.indicator_key = {{ normalize_label('catalog.name_vi') }}
    where catalog.indicator_code is null

)

select * from findings
