{#
  An index snapshot whose province is not the one its name gives (error: the snapshot is
  rejected). A province's tree must be rooted at the province of its scope; every row of the
  national file must map to an official code. The portal's own codes (H44) map to official codes
  (25) through the seed index766_portal_codes, by department id or by code.
#}

with

snapshot_rows as (

    select * from {{ ref('stg_raw__index766') }}
    where unit_role in ('root', 'province') and metric_code = 'TOTAL'

),

report_files as (

    select * from {{ ref('stg_raw__report_files') }}
    where is_snapshot

),

portal_codes as (

    select * from {{ ref('index766_portal_codes') }}

),

placed as (

    select
        snapshot_rows.file_path,
        snapshot_rows.file_sha256,
        snapshot_rows.json_path,
        snapshot_rows.unit_role,
        coalesce(snapshot_rows.unit_code, by_id.portal_code) as unit_code,
        snapshot_rows.unit_id,
        snapshot_rows.unit_name,
        report_files.province_code as scope,
        coalesce(by_id.province_code, by_code.province_code) as province_code

    from snapshot_rows
    inner join report_files
        on snapshot_rows.file_path = report_files.file_path
        and snapshot_rows.file_sha256 = report_files.file_sha256
    left join portal_codes as by_id
        on snapshot_rows.unit_id = by_id.portal_department_id
    left join portal_codes as by_code
        on snapshot_rows.unit_code = by_code.portal_code

),

findings as (

    select
        file_path,
        file_sha256,
        cast(null as integer) as line_number,
        'error' as severity,
        case when province_code is null then 'index766_unknown_portal_unit' else 'index766_scope_mismatch' end as check_code,
        'index766' as dataset,
        json_path as column_name,
        case
            when province_code is null
                then 'The portal unit ' || coalesce(unit_code || ' ', '') || unit_name || ' (' || unit_id
                || ') is not in the seed index766_portal_codes: add its official province code, then run again.'
            else 'The file holds the tree of ' || coalesce(unit_code || ' ', '') || unit_name || ' (official code '
                || province_code || '), but its name gives scope ' || scope || ': rename the file.'
        end as message,
        case
            when province_code is null
                then 'Đơn vị ' || coalesce(unit_code || ' ', '') || unit_name
                || ' chưa có trong bảng mã index766_portal_codes: bổ sung mã tỉnh chính thức rồi chạy lại.'
            else 'Tệp chứa số liệu của ' || unit_name || ' (mã ' || province_code || '), nhưng tên tệp ghi mã '
                || scope || ': đổi tên tệp.'
        end as message_vi,
        scope as expected_value,
        coalesce(province_code, unit_code) as actual_value

    from placed
    where province_code is null
        or (unit_role = 'root' and province_code <> scope)

)

select * from findings
