{#
  The version of each unit's report that the compiled report uses: its current version (accepted,
  contract §1.1); where every version has error findings, the latest of them, compiled and flagged
  (contract §1.6). A withdrawn report has none.
#}

with

unit_versions as (

    select * from {{ ref('int_report_versions') }}
    where is_unit_report and not is_withdrawn

),

ranked as (

    select
        unit_versions.*,
        row_number() over (
            partition by report_id
            order by is_current desc, revision desc, last_delivered_at desc
        ) as preference

    from unit_versions

),

in_use as (

    select
        dataset,
        province_code,
        period,
        unit_code,
        file_path,
        file_sha256,
        revision,
        is_current,
        error_findings,
        first_delivered_at,
        last_delivered_at

    from ranked
    where preference = 1

)

select * from in_use
