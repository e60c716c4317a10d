{#
  Every finding a published run's marts have held (same file version, check, line and column):
  when it appeared, when it was last seen, and whether it is new (first held by the latest run),
  chronic (held since an earlier run) or resolved (the latest run no longer holds it). A view:
  it reads audit.findings_seen, which a run writes after its build.
#}

with

findings_seen as (

    select * from {{ ref('stg_audit__findings_seen') }}

),

builds as (

    select * from {{ ref('stg_audit__builds') }}

),

latest as (

    select run_id from builds
    where run_number = (select max(run_number) from builds)

),

finding_history as (

    select
        findings_seen.finding_key,
        findings_seen.severity,
        findings_seen.check_code,
        findings_seen.dataset,
        findings_seen.province_code,
        findings_seen.period,
        findings_seen.source_file,
        findings_seen.line_number,
        findings_seen.column_name,
        findings_seen.message,
        case
            when findings_seen.last_run_id <> latest.run_id then 'resolved'
            when findings_seen.first_run_id = latest.run_id then 'new'
            else 'chronic'
        end as history_status,
        findings_seen.last_run_id = latest.run_id as is_present,
        findings_seen.first_run_id,
        findings_seen.first_seen_at,
        findings_seen.last_run_id,
        findings_seen.last_seen_at,
        cast(last_build.run_number - first_build.run_number + 1 as integer) as runs_held

    from findings_seen
    cross join latest
    left join builds as first_build
        on findings_seen.first_run_id = first_build.run_id
    left join builds as last_build
        on findings_seen.last_run_id = last_build.run_id

)

select * from finding_history
