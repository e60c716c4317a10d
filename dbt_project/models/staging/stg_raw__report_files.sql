with

source as (

    select * from {{ source('raw', 'report_files') }}

),

renamed as (

    select
        {{ dbt.hash("file_path || '|' || file_sha256") }} as file_version_id,
        file_path,
        file_sha256,
        dataset,
        province_code,
        period,
        period_start,
        period_end,
        revision,
        load_id,
        loaded_at,
        rows_read,
        file_id,
        snapshot_group,
        captured_on,
        captured_on is not null as is_snapshot,
        unit_code,
        unit_code is not null as is_unit_report,
        -- what versions replace each other: a report, a unit's report, or one capture of an index snapshot
        dataset || '|' || province_code || '|' || period
        || coalesce('|' || snapshot_group || '|' || cast(captured_on as varchar), '')
        || coalesce('|unit|' || unit_code, '') as report_id

    from source

)

select * from renamed
