{#
  Every loaded file version with when its content last arrived at its path, and whether its
  report was withdrawn since (contract §1.1: the raw directory is the truth). The readers that
  pick a report's current version order by last_delivered_at, so that content brought back to
  a path is current again, and never pick a withdrawn version.
#}

with

report_files as (

    select * from {{ ref('stg_raw__report_files') }}

),

deliveries as (

    select
        file_path,
        file_sha256,
        min(delivered_at) as first_delivered_at,
        max(delivered_at) as last_delivered_at,
        count(*) as times_delivered

    from {{ ref('stg_raw__deliveries') }}
    group by file_path, file_sha256

),

ranked_withdrawals as (

    select
        dataset,
        province_code,
        period,
        unit_code,
        withdrawn_at,
        reason,
        row_number() over (
            partition by dataset, province_code, period, unit_code order by withdrawn_at desc
        ) as recency

    from {{ ref('stg_audit__withdrawals') }}

),

withdrawals as (

    select
        dataset,
        province_code,
        period,
        unit_code,
        withdrawn_at,
        reason as withdrawal_reason

    from ranked_withdrawals
    where recency = 1

),

file_versions as (

    select
        report_files.*,
        coalesce(deliveries.first_delivered_at, report_files.loaded_at) as first_delivered_at,
        coalesce(deliveries.last_delivered_at, report_files.loaded_at) as last_delivered_at,
        coalesce(deliveries.times_delivered, 1) as times_delivered,
        coalesce(
            withdrawals.withdrawn_at > coalesce(deliveries.last_delivered_at, report_files.loaded_at), false
        ) as is_withdrawn,
        withdrawals.withdrawal_reason

    from report_files
    left join deliveries
        on report_files.file_path = deliveries.file_path
        and report_files.file_sha256 = deliveries.file_sha256
    left join withdrawals
        on report_files.dataset = withdrawals.dataset
        and report_files.province_code = withdrawals.province_code
        and report_files.period = withdrawals.period
        and report_files.unit_code is not distinct from withdrawals.unit_code

)

select * from file_versions
