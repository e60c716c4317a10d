{#
  Findings on the reports in use: the current version of each report, and any newer version
  that an error finding rejected (so the office sees why it is not in use).
#}

with

findings as (

    select * from {{ ref('int_findings') }}

),

versions as (

    select * from {{ ref('int_report_versions') }}

),

report_columns as (

    select * from {{ ref('stg_raw__report_columns') }}

),

current_revision as (

    select
        report_id,
        max(case when is_current then revision end) as revision,
        max(case when is_current then last_delivered_at end) as last_delivered_at

    from versions
    group by report_id

),

shown_versions as (

    select versions.*

    from versions
    left join current_revision
        on versions.report_id = current_revision.report_id
    where versions.is_current
        or (
            versions.is_rejected
            and (
                current_revision.revision is null
                or versions.revision > current_revision.revision
                or (versions.revision = current_revision.revision and versions.last_delivered_at > current_revision.last_delivered_at)
            )
        )

),

shown_findings as (

    select
        findings.severity,
        findings.check_code,
        findings.dataset,
        shown_versions.province_code,
        shown_versions.period,
        shown_versions.unit_code,
        findings.file_path as source_file,
        findings.line_number,
        findings.column_name,
        case
            when report_columns.sheet is not null
                then report_columns.sheet || '!' || {{ column_letter('report_columns.position') }}
                || cast(findings.line_number as varchar)
            when report_columns.position is not null
                then 'line ' || cast(findings.line_number as varchar) || ', column ' || cast(report_columns.position as varchar)
            when shown_versions.is_snapshot then findings.column_name  -- a JSON snapshot: the path inside it
        end as cell,
        findings.message,
        findings.message_vi,
        findings.expected_value,
        findings.actual_value,
        shown_versions.is_current as in_current_version,
        md5(
            findings.file_path || '|' || findings.file_sha256 || '|' || coalesce(findings.check_code, '')
            || '|' || coalesce(cast(findings.line_number as varchar), '') || '|' || coalesce(findings.column_name, '')
        ) as finding_key

    from findings
    inner join shown_versions
        on findings.file_path = shown_versions.file_path
        and findings.file_sha256 = shown_versions.file_sha256
    left join report_columns
        on findings.file_path = report_columns.file_path
        and findings.file_sha256 = report_columns.file_sha256
        and findings.column_name = report_columns.column_name
        and findings.line_number is not null

)

select
    shown_findings.*,
    {{ run_id() }} as run_id
from shown_findings
