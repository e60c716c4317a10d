with

reported as (

    select * from {{ ref('stg_raw__reported_indicators') }}

),

current_versions as (

    select * from {{ ref('int_report_versions') }}
    where is_current and not is_unit_report  -- the province's own reports; unit reports are compiled (compiled_reports)

),

current_rows as (

    select
        current_versions.province_code,
        current_versions.period,
        reported.file_path as source_file,
        reported.line_number,
        reported.indicator_written,
        reported.reported_text,
        reported.note,
        current_versions.revision,
        current_versions.load_id

    from reported
    inner join current_versions
        on reported.file_path = current_versions.file_path
        and reported.file_sha256 = current_versions.file_sha256

)

select
    current_rows.*,
    {{ run_id() }} as run_id
from current_rows
