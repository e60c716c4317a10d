{#
  A scoring rule of the portal that a snapshot row breaks (int_index766_rule_checks): a warning,
  naming the snapshot, the unit, the metric and where in the JSON, so that the office sees when
  the portal's figures contradict themselves. The snapshot stays in use.
#}

with

checks as (

    select * from {{ ref('int_index766_rule_checks') }}

),

findings as (

    select
        file_path,
        file_sha256,
        cast(null as integer) as line_number,
        'warn' as severity,
        'index766_' || rule_code as check_code,
        'index766' as dataset,
        json_path as column_name,
        'Rule ' || rule_code || ' of the portal''s index does not hold for ' || coalesce(unit_code || ' ', '')
        || coalesce(unit_name, 'the nation') || ', metric ' || metric_code || ' (group ' || group_code || '): '
        || 'the rule gives ' || coalesce(cast(expected_value as varchar), 'nothing') || ', the file says '
        || coalesce(cast(actual_value as varchar), 'nothing') || '.' as message,
        'Quy tắc ' || rule_code || ' của Bộ chỉ số không khớp tại ' || coalesce(unit_code || ' ', '')
        || coalesce(unit_name, 'cả nước') || ', chỉ tiêu ' || metric_code || ' (nhóm ' || group_code || '): '
        || 'theo quy tắc là ' || coalesce(cast(expected_value as varchar), 'không có') || ', tệp ghi '
        || coalesce(cast(actual_value as varchar), 'không có') || '.' as message_vi,
        cast(expected_value as varchar) as expected_value,
        cast(actual_value as varchar) as actual_value

    from checks
    where not holds

)

select * from findings
