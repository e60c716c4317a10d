{#
  Every loaded file version of a report, whether a finding rejects it, and which version is
  current: among the versions without error findings, the highest revision, then the one
  delivered last at its path (contract §1.1). Each capture of an index snapshot is a report of
  its own (report_id): a later capture is another snapshot, not a revision. A rejected version never becomes current, so the
  previous accepted one stays in use; a withdrawn report has no current version.
#}

with

report_files as (

    select * from {{ ref('int_file_versions') }}

),

error_findings as (

    select
        file_path,
        file_sha256,
        count(*) as error_findings

    from {{ ref('int_findings') }}
    where severity = 'error'
    group by file_path, file_sha256

),

judged as (

    select
        report_files.*,
        coalesce(error_findings.error_findings, 0) as error_findings,
        coalesce(error_findings.error_findings, 0) > 0 as is_rejected

    from report_files
    left join error_findings
        on report_files.file_path = error_findings.file_path
        and report_files.file_sha256 = error_findings.file_sha256

),

ranked as (

    select
        judged.*,
        row_number() over (
            partition by report_id
            order by is_rejected, revision desc, last_delivered_at desc
        ) = 1 and not is_rejected and not is_withdrawn as is_current,
        row_number() over (
            partition by report_id
            order by revision desc, last_delivered_at desc
        ) = 1 as is_latest

    from judged

)

select * from ranked
