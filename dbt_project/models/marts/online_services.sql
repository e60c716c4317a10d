{# The typed rows of the current, accepted version of every online_services report, with its level. #}

with

report_rows as (

    select * from {{ ref('stg_raw__online_services') }}

),

current_versions as (

    select * from {{ ref('int_report_versions') }}
    where is_current and not is_unit_report  -- the province's own reports; unit reports are compiled (compiled_reports)

),

level_labels as (

    select * from {{ ref('int_level_labels') }}

),

current_rows as (

    select
        current_versions.province_code,
        current_versions.period,
        report_rows.file_path as source_file,
        report_rows.line_number,
        report_rows.row_kind,
        level_labels.level,
        report_rows.unit,
        {{ qualified_columns('report_rows', raw_columns('online_services', 'count')) }}
        current_versions.revision,
        current_versions.load_id,
        {{ run_id() }} as run_id

    from report_rows
    inner join current_versions
        on report_rows.file_path = current_versions.file_path
        and report_rows.file_sha256 = current_versions.file_sha256
    left join level_labels
        on report_rows.level_key = level_labels.level_key

)

select * from current_rows
