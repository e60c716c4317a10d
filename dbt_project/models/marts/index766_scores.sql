{#
  The Decision 766 index as the portal scored it: one row per snapshot, unit, group and metric
  of the current version of every loaded capture. Snapshots are kept side by side: a later
  capture of the same scope, period and group is another snapshot. Periods are the portal's
  calendar periods (2026 = the year to date at capture), not the forms' cut-off windows.
#}

with

snapshot_values as (

    select * from {{ ref('int_index766_values') }}

),

versions as (

    select * from {{ ref('int_report_versions') }}
    where is_snapshot and is_current

),

portal_codes as (

    select * from {{ ref('index766_portal_codes') }}

),

-- a unit's portal code, from any capture that gives it (transparency and satisfaction do not)
unit_codes as (

    select
        unit_id,
        max(unit_code) as unit_code

    from snapshot_values
    where unit_code is not null
    group by unit_id

),

scores as (

    select
        versions.captured_on as snapshot_date,
        versions.province_code as scope,
        versions.period,
        versions.period_start,
        versions.period_end,
        snapshot_values.group_code,
        snapshot_values.unit_id,
        coalesce(snapshot_values.unit_code, unit_codes.unit_code) as unit_code,
        snapshot_values.unit_name,
        case
            when snapshot_values.unit_role = 'nation' then 'nation'
            when snapshot_values.unit_role in ('root', 'province') then 'province'
            when snapshot_values.unit_type in ('COMMUNE', 'COMMUNE_PEOPLE_COMMITTEE') then 'commune'
            else 'department'
        end as unit_level,
        case
            when snapshot_values.unit_role = 'province' then portal_codes.province_code
            when snapshot_values.unit_role <> 'nation' then versions.province_code
        end as province_code,
        snapshot_values.metric_code,
        snapshot_values.metric_name,
        snapshot_values.metric_name_en,
        coalesce(snapshot_values.metric_kind, case when snapshot_values.metric_code = 'TOTAL' then 'total' end) as metric_kind,
        cast(snapshot_values.numerator as double precision) as numerator,
        cast(snapshot_values.denominator as double precision) as denominator,
        cast(snapshot_values.ratio as double precision) as ratio,
        cast(snapshot_values.score as double precision) as score,
        cast(coalesce(snapshot_values.max_score, snapshot_values.seed_max_score) as double precision) as max_score,
        versions.file_path as source_file,
        snapshot_values.json_path

    from snapshot_values
    inner join versions
        on snapshot_values.file_path = versions.file_path
        and snapshot_values.file_sha256 = versions.file_sha256
    left join unit_codes
        on snapshot_values.unit_id = unit_codes.unit_id
    left join portal_codes
        on snapshot_values.unit_code = portal_codes.portal_code

)

select
    scores.*,
    {{ run_id() }} as run_id
from scores
